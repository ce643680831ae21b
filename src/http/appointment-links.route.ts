/**
 * GET /appointments/:token/qr.png and /appointments/:token/calendar.ics: what the QR image
 * and "add to calendar" buttons of an appointment card open. The token (see
 * domain/booking/appointment-links.ts) is the only credential; a forged, expired or unknown
 * one gets the same 404 problem detail, so nothing can be learned by trying.
 */
import { LRUCache } from 'lru-cache';
import express, { type Response, type Router } from 'express';
import QRCode from 'qrcode';
import type { Db } from '../db/client.js';
import type { AppointmentLinkSigner } from '../domain/booking/appointment-links.js';
import { getAppointmentView, type AppointmentView } from '../domain/booking/appointment-view.js';
import type { Locale } from '../i18n/index.js';
import { appointmentIcs } from './appointment-ics.js';
import { sendProblem } from './problem.js';

/** QR images kept in memory: a few hundred bytes each, so this bounds the cache to about 1 MB. */
const QR_CACHE_SIZE = 2_000;

export function createAppointmentLinksRouter(deps: { db: Db; links: AppointmentLinkSigner; now?: () => Date }): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const qrCache = new LRUCache<string, Buffer>({ max: QR_CACHE_SIZE });

  async function appointmentOf(token: string, res: Response): Promise<{ view: AppointmentView; locale: Locale } | null> {
    const claims = deps.links.verify(token, now());
    const view = claims ? await getAppointmentView(deps.db, { id: claims.appointmentId }) : null;
    if (!claims || !view) {
      sendProblem(res, 404, 'Not found', 'This link is unknown or has expired.');
      return null;
    }
    return { view, locale: claims.locale };
  }

  router.get('/appointments/:token/qr.png', async (req, res) => {
    const found = await appointmentOf(req.params.token, res);
    if (!found) return;
    if (found.view.status === 'CANCELLED') return sendProblem(res, 410, 'Gone', 'This appointment was cancelled.');
    // The QR holds only the booking code, which never changes (a reschedule keeps it).
    let png = qrCache.get(found.view.code);
    if (!png) {
      png = await QRCode.toBuffer(found.view.code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 10 });
      qrCache.set(found.view.code, png);
    }
    res.set('Cache-Control', 'private, max-age=86400').type('image/png').send(png);
  });

  router.get('/appointments/:token/calendar.ics', async (req, res) => {
    const found = await appointmentOf(req.params.token, res);
    if (!found) return;
    res
      // The event changes with the appointment: always revalidate.
      .set('Cache-Control', 'private, no-cache')
      .set('Content-Disposition', `attachment; filename="morprom-${found.view.code}.ics"`)
      .type('text/calendar; charset=utf-8')
      .send(appointmentIcs(found.view, found.locale, now()));
  });

  return router;
}
