/**
 * Certificates over HTTP:
 *   GET  /.well-known/jwks.json            our SHC public keys (crlVersion where a key has revocations)
 *   GET  /.well-known/crl/<kid>.json       SHC revocation list of one key
 *   POST /api/verify {content}             verdict for QR content (shc:/… or HC1:…)
 *   GET  /verify                           public verifier page (paste or scan), Thai and English
 *   GET  /certificates/<token>/qr.png      the QR image of one certificate (chat card)
 *   GET  /certificates/<token>/card.smart-health-card   the SHC file (download button)
 * The certificate links' token (domain/certificates/certificate-links.ts) is the only
 * credential and names one certificate row: forged, expired or unknown → the same 404;
 * a revoked certificate → 410.
 */
import { LRUCache } from 'lru-cache';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { MAX_CERTIFICATE_CONTENT, renderHcertQrPng, renderShcQrPng, toSmartHealthCardFile } from '../certificates/index.js';
import type { CertificateServices } from '../domain/certificates/certificate-services.js';
import { publishedJwks, revocationList, verifyContent } from '../domain/certificates/revocation.js';
import { sendProblem } from './problem.js';

/** QR PNGs kept in memory, by certificate row id: an SHC QR is about 10 KB, so about 20 MB at most. */
export const CERTIFICATE_QR_CACHE_SIZE = 2_000;

const verifyBody = z.object({ content: z.string().min(1, 'content is empty').max(MAX_CERTIFICATE_CONTENT, `content is over ${MAX_CERTIFICATE_CONTENT} characters`) });

const pageDir = new URL('./verify-page/', import.meta.url);
const require = createRequire(import.meta.url);

export interface CertificatesRouterDeps {
  db: PrismaClient;
  certificates: CertificateServices;
  log: Logger;
  now?: () => Date;
  /** Called after each cold QR render (metrics, tests: once per certificate row). */
  onQrRendered?: (certificateId: string) => void;
}

export function createCertificatesRouter(deps: CertificatesRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const { keys, links } = deps.certificates;
  const qrCache = new LRUCache<string, Buffer>({ max: CERTIFICATE_QR_CACHE_SIZE });
  const page = readFileSync(new URL('index.html', pageDir), 'utf8');
  const pageScript = readFileSync(new URL('verify.js', pageDir), 'utf8');
  // jsQR (Apache-2.0, no dependencies) decodes camera frames in the browser; served from node_modules.
  const jsQr = readFileSync(require.resolve('jsqr'), 'utf8');

  // Verifiers fetch keys and lists from other origins (SHC: CORS required).
  const publicJson = (res: Response) => res.set('Access-Control-Allow-Origin', '*').set('Cache-Control', 'public, max-age=300');

  router.get('/.well-known/jwks.json', async (_req, res) => {
    publicJson(res).json(await publishedJwks(deps.db, keys));
  });

  router.get('/.well-known/crl/:file', async (req, res) => {
    const match = /^([A-Za-z0-9_-]{1,100})\.json$/.exec(req.params.file);
    const crl = match ? await revocationList(deps.db, keys, match[1]!) : null;
    if (!crl) return sendProblem(res, 404, 'Not found', 'No revocation list for this key.');
    publicJson(res).json(crl);
  });

  router.post('/api/verify', express.json({ limit: '32kb' }), async (req, res) => {
    const parsed = verifyBody.safeParse(req.body);
    if (!parsed.success) {
      return sendProblem(res, 400, 'Invalid request', 'Send {"content": "shc:/… or HC1:…"} as JSON.', {
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const result = await verifyContent({ db: deps.db, keys, content: parsed.data.content, now: now() });
    res.set('Cache-Control', 'no-store');
    // Not a certificate at all is still an answer for the checker, not an HTTP error.
    if (!result) return res.json({ format: null, signature: 'invalid', status: 'malformed', reason: 'neither a SMART Health Card (shc:/) nor an EU DCC (HC1:)' });
    res.json(result);
  });
  router.use('/api/verify', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) return sendProblem(res, 413, 'Payload too large', 'QR content is at most a few kilobytes.');
    if (status === 400) return sendProblem(res, 400, 'Malformed JSON', 'The body is not valid JSON.');
    next(err);
  });

  const pageHeaders = (res: Response) =>
    res
      .set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'")
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'public, max-age=300');
  router.get('/verify', (_req, res) => {
    pageHeaders(res).type('html').send(page);
  });
  router.get('/verify/verify.js', (_req, res) => {
    pageHeaders(res).type('text/javascript').send(pageScript);
  });
  router.get('/verify/jsqr.js', (_req, res) => {
    pageHeaders(res).set('Cache-Control', 'public, max-age=86400').type('text/javascript').send(jsQr);
  });

  async function certificateOf(token: string, res: Response) {
    const claims = links.verify(token, now());
    const row = claims ? await deps.db.certificate.findUnique({ where: { id: claims.certificateId }, select: { id: true, format: true, content: true, revokedAt: true } }) : null;
    if (!row) {
      sendProblem(res, 404, 'Not found', 'This link is unknown or has expired.');
      return null;
    }
    if (row.revokedAt) {
      sendProblem(res, 410, 'Gone', 'This certificate was replaced or revoked. Open "Certificate" in the Mor Prom menu for the current one.');
      return null;
    }
    return row;
  }

  router.get('/certificates/:token/qr.png', async (req, res) => {
    const row = await certificateOf(req.params.token, res);
    if (!row) return;
    // A row's content never changes while it is valid, so its PNG is rendered once (~10-30 ms).
    let png = qrCache.get(row.id);
    if (!png) {
      png = row.format === 'shc' ? await renderShcQrPng(row.content) : await renderHcertQrPng(row.content);
      qrCache.set(row.id, png);
      deps.onQrRendered?.(row.id);
    }
    res.set('Cache-Control', 'private, max-age=86400').type('image/png').send(png);
  });

  router.get('/certificates/:token/card.smart-health-card', async (req, res) => {
    const row = await certificateOf(req.params.token, res);
    if (!row) return;
    if (row.format !== 'shc') return sendProblem(res, 404, 'Not found', 'Only SMART Health Cards have a .smart-health-card file.');
    res
      .set('Cache-Control', 'private, no-store')
      .set('Content-Disposition', 'attachment; filename="morprom.smart-health-card"')
      .type('application/smart-health-card')
      .send(toSmartHealthCardFile([row.content]));
  });

  return router;
}
