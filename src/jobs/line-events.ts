/**
 * The path of a webhook event after signature checking:
 *   intake (web process): store events in PostgreSQL (deduplicated by webhookEventId), then
 *     enqueue one job per stored batch naming the users in it (one job, not one per user:
 *     BullMQ's add is the intake's dearest step, in Node and in Redis); a worker drains a lone
 *     user at once and fans a batch of several out into one "drain user X" job per user;
 *   drain (worker): with the user's session row locked, take their pending events one at a
 *     time in arrival order; each event is handled, its state, domain writes, outbox rows and
 *     "processed" mark commit together; then the outbox is delivered.
 */
import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { webhook } from '@line/bot-sdk';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import { EventAlreadyProcessed, insertInboundEvents, markEventProcessed, nextPendingEvent, type NewInboundEvent } from '../db/repositories/inbound-event.repository.js';
import { loadSession, saveSession } from '../db/repositories/conversation.repository.js';
import { ensureLineUser, updateLineUser } from '../db/repositories/line-user.repository.js';
import { insertOutboundMessages } from '../db/repositories/outbound-message.repository.js';
import { isLocale, translator, type Locale } from '../i18n/index.js';
import { textMessage } from '../line/message-builders.js';
import type { BotEngine } from '../bot/engine.js';
import type { OutboundDelivery } from '../line/outbound-delivery.js';
import { defaultJobOptions } from './queues.js';
import { UserLockLost, type UserLocks } from '../db/user-lock.js';
import { createBatcher } from './intake-batcher.js';
import { isDataError, isTransientDatabaseError } from '../db/errors.js';

export type LineEventJob =
  /** Drain one user (the maintenance sweep, and the fan-out of a batch). */
  | { sourceKey: string }
  /** A stored webhook batch: drain each of these users, each under its own job id. */
  | { drains: UserDrain[] };

interface UserDrain {
  sourceKey: string;
  /** Unique to the batch's last event of that user: a drain already running cannot swallow it, and a redelivered batch is a no-op. */
  jobId: string;
}

const drainJobOptions = (jobId: string) => ({ ...defaultJobOptions, jobId, attempts: 8, backoff: { type: 'exponential' as const, delay: 500 } });

/** LINE allows 5 messages per reply or push. */
const MESSAGES_PER_REQUEST = 5;

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
 * The line-events worker: drains one user, or fans a batch of several users out into one
 * drain job per user, so users keep draining in parallel across WORKER_CONCURRENCY. Ordering
 * and exactly-once stay with the drain (the user's lock, seq order, the processed mark).
 */
export function createLineEventsProcessor(deps: { drainer: Pick<EventDrainer, 'drain'>; queue: Queue<LineEventJob> }) {
  return async (job: Job<LineEventJob>): Promise<number> => {
    const data = job.data;
    if ('sourceKey' in data) return deps.drainer.drain(data.sourceKey);
    if (data.drains.length === 1) return deps.drainer.drain(data.drains[0]!.sourceKey);
    await deps.queue.addBulk(data.drains.map(({ sourceKey, jobId }) => ({ name: 'drain', data: { sourceKey }, opts: drainJobOptions(jobId) })));
    return 0;
  };
}

export function createEventDrainer(deps: {
  db: PrismaClient;
  engine: BotEngine;
  cipher: PersonalDataCipher;
  delivery: OutboundDelivery;
  locks: UserLocks;
  /** Retries a user's stalled outbox later (BullMQ job with backoff). */
  scheduleDeliveryRetry: (lineUserId: string) => Promise<void>;
  replyTokenTtlSeconds: number;
  log: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const { db, log } = deps;

  /** Handles one pending event of the user; false when none was pending. Call under the user's lock. */
  async function handleNext(sourceKey: string): Promise<{ handled: boolean; outboundIds: string[] }> {
    // Read before opening a transaction (the usual last round of a drain finds nothing); the
    // user's lock guarantees nobody else handles it meanwhile.
    const stored = await nextPendingEvent(db, sourceKey);
    if (!stored) return { handled: false, outboundIds: [] };
    try {
      return await db.$transaction(
        async (tx) => {
          const session = await loadSession(tx, sourceKey);
          const at = now();
          const event = JSON.parse(deps.cipher.decrypt(stored.payload ?? '')) as webhook.Event;
          if (event.source?.type !== 'user') {
            await markEventProcessed(tx, stored.webhookEventId, at);
            return { handled: true, outboundIds: [] };
          }
          const user = await ensureLineUser(tx, sourceKey);
          const locale: Locale = isLocale(user.locale) ? user.locale : 'th';
          const result = await deps.engine.handle({ db: tx, lineUserId: sourceKey, locale, session, event, now: at });
          await saveSession(tx, sourceKey, result.session);
          if (result.locale !== locale || result.following !== undefined || result.richMenu) {
            await updateLineUser(tx, sourceKey, {
              now: at,
              ...(result.locale !== locale ? { locale: result.locale } : {}),
              ...(result.following !== undefined ? { following: result.following } : {}),
              ...(result.richMenu ? { richMenu: result.richMenu } : {}),
            });
          }
          const replyToken = 'replyToken' in event ? event.replyToken : undefined;
          const outboundIds = await saveOutbox(tx, sourceKey, result.messages, result.richMenu, replyToken, replyDeadline(event));
          await markEventProcessed(tx, stored.webhookEventId, at);
          return { handled: true, outboundIds };
        },
        { timeout: 30_000, maxWait: 15_000 },
      );
    } catch (err) {
      // The database's state (a restart, a failover, a lost connection) is not the event's
      // fault: the job retries it as it is, later, and the user gets the real answer.
      if (isTransientDatabaseError(err)) throw err;
      if (err instanceof EventAlreadyProcessed) return { handled: true, outboundIds: [] };
      // Error boundary of one event: record it and tell the user, so one bad event never
      // blocks the ones after it. If even this fails (database down), the job retries.
      log.error({ err, sourceKey }, 'event handling failed');
      return recordFailure(sourceKey, err);
    }
  }

  async function recordFailure(sourceKey: string, err: unknown): Promise<{ handled: boolean; outboundIds: string[] }> {
    return db.$transaction(async (tx) => {
      const stored = await nextPendingEvent(tx, sourceKey);
      if (!stored) return { handled: false, outboundIds: [] };
      const user = await ensureLineUser(tx, sourceKey);
      const t = translator(isLocale(user.locale) ? user.locale : 'th');
      const reason = err instanceof Error ? err.message.slice(0, 500) : 'unknown error';
      await markEventProcessed(tx, stored.webhookEventId, now(), reason);
      if (stored.type !== 'message' && stored.type !== 'postback' && stored.type !== 'follow') return { handled: true, outboundIds: [] };
      const outboundIds = await saveOutbox(tx, sourceKey, [textMessage(t('error.generic'))], undefined, undefined, undefined);
      return { handled: true, outboundIds };
    });
  }

  function replyDeadline(event: webhook.Event): Date {
    return new Date(event.timestamp + deps.replyTokenTtlSeconds * 1000);
  }

  async function saveOutbox(
    tx: Parameters<Parameters<PrismaClient['$transaction']>[0]>[0],
    lineUserId: string,
    messages: unknown[],
    richMenu: string | undefined,
    replyToken: string | undefined,
    replyBefore: Date | undefined,
  ): Promise<string[]> {
    if (messages.length === 0 && !richMenu) return [];
    const chunks: unknown[][] = [];
    for (let i = 0; i < messages.length; i += MESSAGES_PER_REQUEST) chunks.push(messages.slice(i, i + MESSAGES_PER_REQUEST));
    if (chunks.length === 0) chunks.push([]);
    return insertOutboundMessages(
      tx,
      chunks.map((chunk, i) => ({
        lineUserId,
        messages: chunk,
        // Only the first chunk may use the reply token (it is single use); the rest are pushed.
        ...(i === 0 && replyToken && replyBefore ? { replyToken, replyBefore } : {}),
        ...(i === 0 && richMenu ? { richMenu } : {}),
      })),
    );
  }

  return {
    /**
     * Processes the pending events of one user, oldest first, delivering each event's answer
     * before handling the next, all under the user's lock: answers reach the user in the
     * order the events came, whichever worker runs them. If delivery stalls (LINE down),
     * events are still handled and their answers queue up behind, for the retry job.
     */
    async drain(sourceKey: string): Promise<number> {
      return deps.locks.withUserLock(sourceKey, async (lock) => {
        let count = 0;
        let deliveryStalled = false;
        try {
          for (;;) {
            lock.assertHeld();
            const { handled, outboundIds } = await handleNext(sourceKey);
            if (!handled) return count;
            count++;
            if (outboundIds.length === 0 || deliveryStalled) continue;
            try {
              await deps.delivery.deliverPendingOf(sourceKey, lock);
            } catch (err) {
              if (err instanceof UserLockLost) throw err;
              deliveryStalled = true;
              log.warn({ err, lineUserId: sourceKey }, 'delivery failed; the user\'s outbox will be retried in order');
              await deps.scheduleDeliveryRetry(sourceKey);
            }
          }
        } finally {
          // Answers decided after the stall are behind a retry job that may already have run
          // (and found less to send): ask again; a retry still waiting absorbs it (deduplicated).
          if (deliveryStalled) await deps.scheduleDeliveryRetry(sourceKey);
        }
      });
    },
  };
}

export type EventDrainer = ReturnType<typeof createEventDrainer>;
