/** GET /exports/:token: the data-export file behind the short-lived link sent in chat. */
import express, { type Router } from 'express';
import type { PrismaClient } from '../db/client.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import { buildDataExport } from '../domain/profile/export-personal-data.js';
import { sendProblem } from './problem.js';

export function createExportsRouter(deps: { db: PrismaClient; cipher: PersonalDataCipher }): Router {
  const router = express.Router();
  router.get('/exports/:token', async (req, res) => {
    const token = req.params.token;
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return sendProblem(res, 404, 'Not found', 'This link is unknown or has expired.');
    const file = await buildDataExport({ db: deps.db, cipher: deps.cipher, token, now: new Date() });
    if (!file) return sendProblem(res, 404, 'Not found', 'This link is unknown or has expired.');
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="morprom-my-data.json"')
      .json(file);
  });
  return router;
}
