/**
 * The admin API of the after-the-dose feature (issue 6):
 *
 *   GET  /admin/aefi-cases?hospitalCode=&status=      AEFI cases, serious first, newest first
 *   POST /admin/aefi-cases/:id/acknowledge            the hospital has taken the case
 *   GET  /admin/follow-up/stats?from=&to=             response rate per check-in label,
 *                                                     AEFI cases per hospital (serious or not)
 *
 * Until the hospital-sync path exists, a hospital is "notified" of its cases by this list.
 * Bearer ADMIN_TOKEN (admin-auth.ts). Bad input → 422 problem details; unknown case → 404.
 * Mounted before createAdminRouter, whose catch-all answers 404 for other /admin paths.
 */
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import { acknowledgeAefiCase, listAefiCases } from '../domain/follow-up/aefi-cases.js';
import { getFollowUpStats } from '../domain/follow-up/follow-up-stats.js';
import { createAdminAuth } from './admin-auth.js';
import { sendProblem } from './problem.js';

const listQuery = z.object({
  hospitalCode: z.string().regex(/^\d{5}$/, 'must be 5 digits').optional(),
  status: z.enum(['OPEN', 'ACKNOWLEDGED', 'CLOSED']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const statsQuery = z.object({
  from: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
  to: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(),
});

export function createAdminAefiRouter(deps: { db: PrismaClient; adminToken: string | undefined; now?: () => Date }): Router {
  const now = deps.now ?? (() => new Date());
  const router = express.Router();
  router.use(['/admin/aefi-cases', '/admin/follow-up'], createAdminAuth(deps.adminToken));

  router.get('/admin/aefi-cases', async (req, res) => {
    const query = parse(listQuery, req.query, res);
    if (!query) return;
    res.json({ cases: await listAefiCases(deps.db, query) });
  });

  router.post('/admin/aefi-cases/:id/acknowledge', async (req, res) => {
    if (!z.uuid().safeParse(req.params.id).success) return sendProblem(res, 404, 'Not found', 'No such AEFI case.');
    const result = await acknowledgeAefiCase(deps.db, req.params.id, now());
    if (!result.ok) return sendProblem(res, 404, 'Not found', 'No such AEFI case.');
    res.json({ id: req.params.id, status: result.status });
  });

  router.get('/admin/follow-up/stats', async (req, res) => {
    const query = parse(statsQuery, req.query, res);
    if (!query) return;
    res.json(await getFollowUpStats(deps.db, { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) }));
  });
  return router;
}

function parse<T>(schema: z.ZodType<T>, input: unknown, res: Response): T | undefined {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  sendProblem(res, 422, 'Invalid request', errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), { errors });
  return undefined;
}
