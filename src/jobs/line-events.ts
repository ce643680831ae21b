/**
 * The path of a webhook event after signature checking:
 *   intake (web process): store events in PostgreSQL (deduplicated by webhookEventId), then
 *     enqueue one job per stored batch naming the users in it (one job, not one per user:
 *     BullMQ's add is the intake's dearest step, in Node and in Redis);
 *   drain (worker, drain-users.ts): with the batch's users locked, handle their pending
 *     events in arrival order in one transaction (states, domain writes, outbox rows and
 *     "processed" marks commit together), then deliver the answers.
 */
import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { webhook } from '@line/bot-sdk';
import type { PrismaClient } from '../db/client.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import { insertInboundEvents, type NewInboundEvent } from '../db/repositories/inbound-event.repository.js';
import { defaultJobOptions } from './queues.js';
import { createBatcher } from './intake-batcher.js';
import { isDataError } from '../db/errors.js';
import type { EventDrainer } from './drain-users.js';

export type LineEventJob =
  /** Drain one user, waiting for their lock (the maintenance sweep, a user a batch found busy). */
  | { sourceKey: string }
  /** A stored webhook batch: drain these users together. */
  | { drains: UserDrain[] };

interface UserDrain {
  sourceKey: string;
  /** Unique to the batch's last event of that user: a drain already running cannot swallow it, and a redelivered batch is a no-op. */
  jobId: string;
}

const drainJobOptions = (jobId: string) => ({ ...defaultJobOptions, jobId, attempts: 8, backoff: { type: 'exponential' as const, delay: 500 } });

export function sourceKeyOf(event: webhook.Event): string {
  const source = event.source;
  if (!source) return 'unknown';
  if (source.type === 'user') return source.userId ?? 'unknown';
  if (source.type === 'group') return source.groupId;
  return source.roomId;
}

/**
 * Stores events, then enqueues drains, batching concurrent requests (group commit). Throws if
 * either step fails: the webhook answers 503 and LINE redelivers.
 */
export function createEventIntake(deps: {
  db: PrismaClient;
  queue: Queue<LineEventJob>;
  cipher: PersonalDataCipher;
  /** False while the queue's Redis is disconnected: refuse at once rather than wait (and store an event we cannot enqueue). */
  queueReady: () => boolean;
}) {
  const batcher = createBatcher<NewInboundEvent>({
    // A request whose rows PostgreSQL refuses (a NUL byte) fails alone, not the batch it joined.
    isolateOn: isDataError,
    async write(rows) {
      await insertInboundEvents(deps.db, rows);
      const lastBySource = new Map(rows.map((r) => [r.sourceKey, r.webhookEventId]));
      const drains = [...lastBySource].map(([sourceKey, lastEventId]) => ({ sourceKey, jobId: `drain-${sourceKey}-${lastEventId}` }));
      // A lone user's job keeps that user's job id (as light traffic always did); a batch's id
      // is derived from its users' ids, so an identical redelivered batch is a no-op too.
      const jobId = drains.length === 1 ? drains[0]!.jobId : `batch-${createHash('sha1').update(drains.map((d) => d.jobId).join(' ')).digest('base64url')}`;
      await deps.queue.add('drain-batch', { drains }, drainJobOptions(jobId));
    },
  });
  return {
    accept(events: webhook.Event[]): Promise<void> {
      if (!deps.queueReady()) return Promise.reject(new Error('Redis is not connected'));
      return batcher.add(
        events.map((event) => ({
          webhookEventId: event.webhookEventId,
          sourceKey: sourceKeyOf(event),
          type: event.type,
          // Encrypted: a text event may carry an ID number the user typed.
          payload: deps.cipher.encrypt(JSON.stringify(event)),
          eventTime: new Date(event.timestamp),
        })),
      );
    },
  };
}

export type EventIntake = ReturnType<typeof createEventIntake>;

/**
 * The line-events worker: a stored batch is handled as a batch (drain-users.ts: one lock
 * round trip, one transaction, one delivery record for all its users); batches run in
 * parallel across WORKER_CONCURRENCY and across worker processes. A user another worker is
 * draining right now is not waited for: they get a drain job of their own (named after their
 * event, so a redelivered batch adds none) that waits for their lock, so events that arrived after that
 * worker read the user's inbox are not left behind. Ordering and exactly-once stay with the
 * drain (the user's lock, seq order, the conditional processed mark).
 */
/** What a line-events job did (its BullMQ return value, kept with the completed job for operators). */
export interface LineEventsJobResult {
  /** Events handled. */
  handled: number;
  /** Users of the job left to a drain that waits for their lock (another worker held it). */
  deferred: string[];
}

export function createLineEventsProcessor(deps: { drainer: Pick<EventDrainer, 'drain' | 'drainUsers'>; queue: Queue<LineEventJob> }) {
  return async (job: Job<LineEventJob>): Promise<LineEventsJobResult> => {
    const data = job.data;
    if ('sourceKey' in data) return { handled: await deps.drainer.drain(data.sourceKey), deferred: [] };
    const { handled, busy } = await deps.drainer.drainUsers(data.drains.map((d) => d.sourceKey));
    if (busy.length > 0) {
      const waiting = new Set(busy);
      await deps.queue.addBulk(
        // Not the batch's own job id: a lone user's batch job has that id, and is running.
        data.drains.filter((d) => waiting.has(d.sourceKey)).map(({ sourceKey, jobId }) => ({ name: 'drain', data: { sourceKey }, opts: drainJobOptions(`${jobId}-wait`) })),
      );
    }
    return { handled, deferred: busy };
  };
}
