/**
 * POST /webhook: the thin edge of the bot. Signature on the raw body → parse → store and
 * enqueue → 200. Nothing else happens here: handling is the workers' job.
 * - 401 and nothing stored on a missing or wrong x-line-signature;
 * - 413 over 1 MB, 400 on malformed JSON;
 * - 503 when PostgreSQL or Redis cannot take the events, so LINE redelivers; never 200
 *   for an event that was not stored.
 */
import type { Request, RequestHandler } from 'express';
import { validateSignature, type webhook } from '@line/bot-sdk';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import type { EventIntake } from '../jobs/line-events.js';
import { sendProblem } from './problem.js';
import { withTimeout } from '../shared/with-timeout.js';
import { isDataError } from '../db/errors.js';

/** LINE's bodies are small; anything over 1 MB is refused (413) before it is read. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** The acknowledgement LINE waits for, written as is (no serialising, no ETag: nobody caches it). */
const ACK_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': '2' };

/**
 * Only what we rely on before the worker reads the event in full, in the shapes LINE sends
 * (ULID event ids, `U`/`C`/`R` + 32 hex chat ids): these are stored as text and keyed on, so
 * anything else (a NUL byte, a control character) is refused here with 400, never stored.
 */
const lineChatId = (letter: string) => z.string().regex(new RegExp(`^${letter}[0-9a-f]{32}$`));
const eventSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), userId: lineChatId('U') }),
  z.looseObject({ type: z.literal('group'), groupId: lineChatId('C'), userId: lineChatId('U').optional() }),
  z.looseObject({ type: z.literal('room'), roomId: lineChatId('R'), userId: lineChatId('U').optional() }),
]);
const webhookBody = z.object({
  destination: z.string().optional(),
  events: z.array(
    z.looseObject({
      type: z.string().regex(/^[A-Za-z]{1,40}$/),
      webhookEventId: z.string().regex(/^[0-9A-Za-z]{1,100}$/),
      timestamp: z.number(),
      source: eventSource.optional(),
    }),
  ),
});

/** The POST /webhook handler; the app mounts it first, on itself (no sub-router: it is the hot path). */
export function createWebhookHandler(deps: { channelSecret: string; intake: EventIntake; log: Logger; intakeTimeoutMs?: number }): RequestHandler {
  const timeoutMs = deps.intakeTimeoutMs ?? 3_000;

  return async (req, res) => {
    const body = await readBody(req, WEBHOOK_BODY_LIMIT_BYTES);
    if (body === 'too large') {
      // Close the connection rather than read the rest of a body we refuse.
      res.set('Connection', 'close');
      return sendProblem(res, 413, 'Payload too large', 'The body is over the 1 MB limit.');
    }
    if (body === 'aborted') return;
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
      if (isDataError(err)) {
        // PostgreSQL refused this body's data: a redelivery would be refused again.
        deps.log.warn({ err, events: parsed.events.length }, 'webhook body refused by the database; answering 400');
        return sendProblem(res, 400, 'Malformed webhook body', 'The events hold values that cannot be stored.');
      }
      deps.log.error({ err, events: parsed.events.length }, 'webhook intake failed; answering 503 so LINE redelivers');
      res.set('Retry-After', '1');
      return sendProblem(res, 503, 'Service unavailable', 'Events could not be stored; please redeliver.');
    }
    res.writeHead(200, ACK_HEADERS).end('{}');
  };
}

/**
 * The raw body (the signature is over its bytes), or 'too large' past `limit` (checked on
 * Content-Length before reading, and while reading), or 'aborted' if the client went away.
 * Leaner than express.raw on this hot path: LINE sends plain JSON, never compressed.
 */
function readBody(req: Request, limit: number): Promise<Buffer | 'too large' | 'aborted'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done('too large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = () => done('aborted');
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}
