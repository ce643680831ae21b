/**
 * The admin API for supply: open/resize/close slots and set allocations.
 *
 *   POST /admin/slots        {rows:[{hospitalCode, productCode, date, startTime, endTime, capacity, action?}]}
 *   POST /admin/slots/close  {slotIds?:[uuid], slots?:[{hospitalCode, productCode, date, startTime}], reason?}
 *   PUT  /admin/allocations  {rows:[{hospitalCode, productCode, doses}]}
 *
 * `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. Without ADMIN_TOKEN the
 * API is off and answers 404. Bulk answers are a summary in a 200 ({applied, unchanged,
 * invalid:[{row, reason}]}); when every row is invalid, a 422 problem with the same list.
 * Errors are RFC 9457 problem details. Thin: the use cases in src/domain/slots do the work.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { openSlots } from '../domain/slots/open-slots.js';
import { closeSlots } from '../domain/slots/close-slots.js';
import { setAllocations } from '../domain/slots/set-allocations.js';
import { sendProblem } from './problem.js';
import { createAdminAuth } from './admin-auth.js';

/** Audit actor for changes made through this API (one shared token: no personal name). */
export const ADMIN_API_ACTOR = 'admin:api';
/** 20,000 rows of about 130 bytes fit comfortably. */
const BODY_LIMIT = '5mb';
const MAX_ROWS = 20_000;

const rowsBody = z.object({ rows: z.array(z.unknown()).min(1, 'rows must not be empty').max(MAX_ROWS, `at most ${MAX_ROWS} rows per request`) });
const closeBody = z
  .object({
    slotIds: z.array(z.uuid('slotIds must be UUIDs')).max(MAX_ROWS).optional(),
    slots: z
      .array(
        z.object({
          hospitalCode: z.string().regex(/^\d{5}$/, 'hospitalCode must be 5 digits'),
          productCode: z.string().min(1).max(20),
          date: z.iso.date('date must be YYYY-MM-DD'),
          startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'startTime must be HH:MM'),
        }),
      )
      .max(MAX_ROWS)
      .optional(),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .refine((b) => (b.slotIds?.length ?? 0) + (b.slots?.length ?? 0) > 0, 'give slotIds or slots to close');

export function createAdminRouter(deps: { db: PrismaClient; adminToken: string | undefined; log: Logger; now?: () => Date }): Router {
  const now = deps.now ?? (() => new Date());
  const router = express.Router();

  router.use('/admin', createAdminAuth(deps.adminToken));
  router.use('/admin', express.json({ limit: BODY_LIMIT }));

  router.post('/admin/slots', async (req, res) => {
    const body = parse(rowsBody, req.body, res);
    if (!body) return;
    const result = await openSlots({ db: deps.db, rows: body.rows, actor: ADMIN_API_ACTOR, now: now() });
    deps.log.info({ applied: result.applied, unchanged: result.unchanged, invalid: result.invalid.length, movedToRebooking: result.movedToRebooking }, 'admin: slots imported');
    if (result.invalid.length === body.rows.length) return sendProblem(res, 422, 'Every row is invalid', 'No slot was changed.', { invalid: result.invalid });
    res.json(result);
  });

  router.post('/admin/slots/close', async (req, res) => {
    const body = parse(closeBody, req.body, res);
    if (!body) return;
    const result = await closeSlots({
      db: deps.db,
      slotIds: body.slotIds ?? [],
      keys: (body.slots ?? []).map((s) => ({ ...s, productCode: s.productCode.toUpperCase() })),
      actor: ADMIN_API_ACTOR,
      ...(body.reason ? { reason: body.reason } : {}),
      now: now(),
    });
    deps.log.info({ closed: result.closed.length, movedToRebooking: result.movedToRebooking }, 'admin: slots closed');
    res.json(result);
  });

  router.put('/admin/allocations', async (req, res) => {
    const body = parse(rowsBody, req.body, res);
    if (!body) return;
    const result = await setAllocations({ db: deps.db, rows: body.rows, now: now() });
    deps.log.info({ applied: result.applied, unchanged: result.unchanged, invalid: result.invalid.length }, 'admin: allocations set');
    if (result.invalid.length === body.rows.length) return sendProblem(res, 422, 'Every row is invalid', 'No allocation was changed.', { invalid: result.invalid });
    res.json(result);
  });

  router.use('/admin', (_req: Request, res: Response) => sendProblem(res, 404, 'Not found'));

  // Body-parser errors for this API: say which limit was hit.
  router.use('/admin', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) return sendProblem(res, 413, 'Payload too large', `The body is over the ${BODY_LIMIT} limit; split the rows over several requests.`);
    if (status === 400) return sendProblem(res, 400, 'Malformed JSON', 'The body is not valid JSON.');
    next(err);
  });
  return router;
}

function parse<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | undefined {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  sendProblem(res, 400, 'Invalid request', result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '), {
    errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
  return undefined;
}
