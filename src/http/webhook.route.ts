/**
 * POST /webhook: the thin edge of the bot. Signature on the raw body → parse → store and
 * enqueue → 200. Nothing else happens here: handling is the workers' job.
 * - 401 and nothing stored on a missing or wrong x-line-signature;
 * - 413 over 1 MB (express.raw limit), 400 on malformed JSON;
 * - 503 when PostgreSQL or Redis cannot take the events, so LINE redelivers; never 200
 *   for an event that was not stored.
 */
import express, { type Router } from 'express';
import { validateSignature, type webhook } from '@line/bot-sdk';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import type { EventIntake } from '../jobs/line-events.js';
import { sendProblem } from './problem.js';
import { withTimeout } from '../shared/with-timeout.js';

export const WEBHOOK_BODY_LIMIT = '1mb';

/** Only what we rely on before the worker reads the event in full. */
const webhookBody = z.object({
  destination: z.string().optional(),
  events: z.array(
    z.looseObject({
      type: z.string(),
      webhookEventId: z.string().min(1).max(100),
      timestamp: z.number(),
    }),
  ),
});

export function createWebhookRouter(deps: { channelSecret: string; intake: EventIntake; log: Logger; intakeTimeoutMs?: number }): Router {
  const router = express.Router();
  const timeoutMs = deps.intakeTimeoutMs ?? 3_000;

  router.post('/webhook', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.get('x-line-signature');
    if (!signature || !validateSignature(body, deps.channelSecret, signature)) {
      return sendProblem(res, 401, 'Invalid signature', 'x-line-signature is missing or does not match the body.');
    }
    let parsed: z.infer<typeof webhookBody>;
    try {
      parsed = webhookBody.parse(JSON.parse(body.toString('utf8')));
    } catch {
      return sendProblem(res, 400, 'Malformed webhook body', 'The body is not a LINE webhook JSON object.');
    }
    try {
      await withTimeout(deps.intake.accept(parsed.events as unknown as webhook.Event[]), timeoutMs);
    } catch (err) {
      deps.log.error({ err, events: parsed.events.length }, 'webhook intake failed; answering 503 so LINE redelivers');
      res.set('Retry-After', '1');
      return sendProblem(res, 503, 'Service unavailable', 'Events could not be stored; please redeliver.');
    }
    res.status(200).json({});
  });

  return router;
}
