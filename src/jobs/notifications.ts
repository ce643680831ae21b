/**
 * The notification sender: a BullMQ worker on the 'notifications' queue. A job is a send batch
 * (see notification-dispatch.ts); each of its planned notification rows becomes one LINE push,
 * paced under LINE's per-channel limit by a pacer shared by every sender process.
 *
 * For each batch: load the rows (with the user's locale and friendship) in one query; anything
 * but QUEUED is already settled; an unfollowed user is SKIPPED; the renderer of its kind builds
 * the message from current data (null = no longer applies → SKIPPED); then reserve send times
 * and push each with X-Line-Retry-Key = the notification id, and record the outcomes:
 *   2xx, 409 (already accepted)  → SENT (+ x-line-request-id, sent_at)
 *   429                          → every sender holds back; the rest of the batch is retried
 *   5xx, network                 → retried with exponential backoff (the job's BullMQ retry)
 *   other 4xx                    → FAILED at once
 * Every push attempt increments `attempts` and keeps `last_error`; at `maxAttempts` the row is
 * FAILED. Attempts are bounded on the row, not by BullMQ, because a batch retry attempts only
 * the rows still QUEUED and a re-driven job starts BullMQ's count again.
 *
 * Crash safety: a row stays QUEUED until its outcome is written. A worker killed between
 * LINE accepting a push and that write leaves the job active; BullMQ's stalled-job check
 * hands it to another worker, whose push carries the same retry key, so LINE answers 409 and
 * the row becomes SENT: never a second copy, never a lost reminder.
 *
 * Throughput: a batch costs one read, the renderers' batched queries and one outcome UPDATE
 * (shared with the batches ending at the same moment), and one BullMQ job: per push, the
 * database and Redis work is a small fraction of a statement.
 */
import { Worker, type Job } from 'bullmq';
import type { PrismaClient } from '../db/client.js';
import { statementsOn, type Statement } from '../db/statements.js';
import type { BotServices } from '../bot/context.js';
import { isLocale, translator } from '../i18n/index.js';
import { LineApiError, type LineGateway, type LineMessage } from '../line/line-gateway.js';
import type { NotificationKind } from '../domain/notifications/schedule-notifications.js';
import type { NotificationRenderers } from '../notifications/renderers.js';
import type { Logger } from '../shared/logger.js';
import { createBatcher, createStatementLookup } from './intake-batcher.js';
import { queueNames, type RedisClient } from './queues.js';
import { notificationIdsOf, type NotificationJob } from './notification-dispatch.js';
import { sendPaced, type PushPacer } from './push-pacer.js';

export interface NotificationSenderSettings {
  /** Push requests per second across every worker of the queue (LINE: 2,000 per channel). */
  pushRatePerSecond: number;
  /** Send batches one worker process runs at once (each paces its pushes). */
  concurrency: number;
  /** Push attempts per notification before it is FAILED. */
  maxAttempts: number;
  /** How long every sender holds back after LINE answers 429. */
  rateLimitedPauseMs?: number;
  /** BullMQ lock of an active job; a dead worker's job is retried after it expires. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (default: BullMQ's 30 s). */
  stalledIntervalMs?: number;
}

/** A notification row as the sender reads it, with what it needs from the LINE user. */
interface SendRow {
  id: string;
  kind: string;
  line_user_id: string;
  person_id: string | null;
  appointment_id: string | null;
  appointment_version: number | null;
  data: unknown;
  due_at: Date;
  status: string;
  attempts: number;
  locale: string | null;
  following: boolean | null;
}

type FinalStatus = 'SENT' | 'FAILED' | 'SKIPPED';

/** What one job writes back to its row. */
interface Outcome {
  id: string;
  /** QUEUED = attempt recorded, to be retried. */
  status: FinalStatus | 'QUEUED';
  /** 1 when a push was attempted. */
  attempted: number;
  lastError: string | null;
  requestId: string | null;
  sentAt: Date | null;
}

/** What one send batch did; `retry` counts rows left QUEUED for the job's next attempt. */
export interface BatchResult {
  sent: number;
  skipped: number;
  failed: number;
  /** Rows that were no longer QUEUED (sent, cancelled or failed by an earlier run). */
  settled: number;
  retry: number;
  /** LINE answered 429: every sender was held back and the rest of the batch waits. */
  rateLimited: boolean;
}

export interface NotificationSender {
  /** Sends a batch of notifications; rows that must be retried stay QUEUED (see `retry`). */
  sendBatch(notificationIds: readonly string[]): Promise<BatchResult>;
}

/** A row ready to push: its message, rendered from current data. */
interface Rendered {
  row: SendRow;
  messages: LineMessage[];
}

const READ_ROWS: Statement = {
  name: 'notification-send-read',
  text: `
    SELECT n.id, n.kind, n.line_user_id, n.person_id, n.appointment_id, n.appointment_version, n.data,
           n.due_at, n.status::text AS status, n.attempts, u.locale, u.following
    FROM notification n LEFT JOIN line_user u ON u.id = n.line_user_id
    WHERE n.id = ANY($1::uuid[])`,
};

/** Exported for its query-plan test (test/integration/notification-outcomes-plan.int.test.ts). */
export const WRITE_OUTCOMES: Statement = {
  name: 'notification-send-outcomes',
  text: `
    UPDATE notification n SET
      status = v.status::"NotificationStatus",
      attempts = n.attempts + v.attempted,
      last_error = COALESCE(v.last_error, n.last_error),
      line_request_id = COALESCE(v.request_id, n.line_request_id),
      sent_at = COALESCE(v.sent_at, n.sent_at)
    FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[])
      AS v(id, status, attempted, last_error, request_id, sent_at)
    -- Only a row still in flight changes; but a push LINE accepted is recorded even if the
    -- row was cancelled while it was in flight, because it was sent.
    -- The rows are found by primary key only: status is compared as text so the planner cannot
    -- use the (status, due_at) index. At a peak, statistics say almost no row is QUEUED while
    -- 100,000 are, and the planner then scanned every QUEUED row to update a batch of 100
    -- (40-50 ms each, half a core of PostgreSQL in bench:reminders).
    WHERE n.id = v.id AND (n.status::text = 'QUEUED' OR (v.status = 'SENT' AND n.status::text = 'CANCELLED'))`,
};

/**
 * We pace below LINE's limit, so a 429 means a short bunch of our pushes reached LINE together
 * (jitter), not a steady excess: holding every sender back a quarter of a second lets a
 * one-second window drop the excess without idling the channel for a whole second.
 */
const DEFAULT_RATE_LIMITED_PAUSE_MS = 250;

export function createNotificationSender(deps: {
  db: PrismaClient;
  line: LineGateway;
  renderers: NotificationRenderers;
  services: BotServices;
  /** Paces every push of every sender under LINE's limit. */
  pacer: PushPacer;
  settings: Pick<NotificationSenderSettings, 'maxAttempts' | 'rateLimitedPauseMs'>;
  now: () => Date;
  log: Logger;
}): NotificationSender {
  const { db, line, renderers, services, pacer, settings, log } = deps;
  const sql = statementsOn(db);

  // Reads of the rows of batches that start together share one query.
  const readRow = createStatementLookup<SendRow>(db, READ_ROWS, 1_000);

  // Outcomes of batches that end together are written in one UPDATE; a job completes only
  // after its outcomes are committed (add() resolves then), so BullMQ never forgets a push.
  const writes = createBatcher<Outcome>({
    maxBatchSize: 1_000,
    maxConcurrentWrites: 2,
    write: async (outcomes) => {
      await sql.run(WRITE_OUTCOMES, [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.attempted),
        outcomes.map((o) => o.lastError),
        outcomes.map((o) => o.requestId),
        outcomes.map((o) => o.sentAt),
      ]);
    },
  });

  const settled = (row: SendRow, status: FinalStatus, lastError: string | null): Outcome => ({ id: row.id, status, attempted: 0, lastError, requestId: null, sentAt: null });
  /** A failed attempt: FAILED when it cannot succeed later or the attempts are used up. */
  const failedAttempt = (row: SendRow, lastError: string, retryable: boolean, requestId: string | null = null): Outcome => {
    const final = !retryable || row.attempts + 1 >= settings.maxAttempts;
    if (final) log.warn({ notificationId: row.id, attempt: row.attempts + 1, lastError: lastError.slice(0, 100) }, 'notification failed');
    return { id: row.id, status: final ? 'FAILED' : 'QUEUED', attempted: 1, lastError, requestId, sentAt: null };
  };

  /** The message of a row from current data, or the outcome that settles it without a push. */
  async function render(row: SendRow): Promise<Rendered | Outcome> {
    // A re-driven job of a row that used up its attempts: keep the last push error.
    if (row.attempts >= settings.maxAttempts) return settled(row, 'FAILED', null);
    if (!row.following) return settled(row, 'SKIPPED', row.following === null ? 'no LINE user' : 'unfollowed');
    const renderer = renderers[row.kind as NotificationKind];
    if (!renderer) return settled(row, 'FAILED', `no renderer for '${row.kind}'`);
    const locale = isLocale(row.locale) ? row.locale : 'th';
    try {
      const messages = await renderer(
        {
          id: row.id,
          kind: row.kind as NotificationKind,
          lineUserId: row.line_user_id,
          personId: row.person_id,
          appointmentId: row.appointment_id,
          appointmentVersion: row.appointment_version,
          data: row.data,
          dueAt: row.due_at,
        },
        { db, locale, t: translator(locale), now: deps.now(), services },
      );
      return messages ? { row, messages } : settled(row, 'SKIPPED', 'no longer applies');
    } catch (err) {
      // A renderer that throws (a bug, the database away) counts as an attempt too, so a
      // notification that can never render ends FAILED instead of being retried for ever.
      return failedAttempt(row, `render: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500), true);
    }
  }

  return {
    async sendBatch(notificationIds) {
      const rows = await Promise.all(notificationIds.map(readRow));
      // Sent, cancelled, skipped or failed already (a repeated or re-driven job), or deleted.
      const queued = rows.filter((row): row is SendRow => row?.status === 'QUEUED');
      const renderedOrSettled = await Promise.all(queued.map(render));
      const outcomes = renderedOrSettled.filter((r): r is Outcome => !('messages' in r));
      const toPush = renderedOrSettled.filter((r): r is Rendered => 'messages' in r);

      let rateLimited = false;
      if (toPush.length > 0) {
        const pushed = await sendPaced(
          toPush,
          pacer,
          async ({ row, messages }): Promise<Outcome> => {
            try {
              // X-Line-Retry-Key = the row id: a repeat after a crash gets 409, never a copy.
              const result = await line.push(row.line_user_id, messages, row.id);
              return { id: row.id, status: 'SENT', attempted: 1, lastError: null, requestId: result.requestId ?? null, sentAt: deps.now() };
            } catch (err) {
              if (!(err instanceof LineApiError)) return failedAttempt(row, `push: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500), true);
              if (err.status === 429 && !rateLimited) {
                // LINE's limit is per channel: hold back every sender, and stop this batch.
                rateLimited = true;
                await pacer.holdOff(settings.rateLimitedPauseMs ?? DEFAULT_RATE_LIMITED_PAUSE_MS);
              }
              return failedAttempt(row, `${err.status || 'network'}: ${err.body.slice(0, 500)}`, err.retryable, err.requestId ?? null);
            }
          },
          () => rateLimited,
        );
        for (const outcome of pushed) if (outcome) outcomes.push(outcome);
      }
      await writes.add(outcomes);

      const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
      return {
        sent: count('SENT'),
        skipped: count('SKIPPED'),
        failed: count('FAILED'),
        settled: notificationIds.length - queued.length,
        // Left QUEUED: a retryable failure, or not pushed because LINE said 429.
        retry: queued.length - outcomes.length + count('QUEUED'),
        rateLimited,
      };
    },
  };
}

/** Thrown by a batch that left rows QUEUED, so BullMQ retries the job with its backoff. */
export class NotificationsToRetryError extends Error {
  constructor(readonly result: BatchResult) {
    super(`${result.retry} notification(s) to retry${result.rateLimited ? ' (LINE answered 429)' : ''}`);
    this.name = 'NotificationsToRetryError';
  }
}

/**
 * The notifications worker: runs send batches. A batch that left rows QUEUED (a retryable
 * failure, or a 429) throws, and BullMQ retries the job with the backoff set when it was
 * queued; the retry only pushes the rows still QUEUED.
 */
export function createNotificationWorker(deps: {
  connection: RedisClient;
  /** The queues' prefix (queuePrefix(REDIS_PREFIX)). */
  prefix: string;
  sender: NotificationSender;
  settings: NotificationSenderSettings;
  log: Logger;
}): Worker<NotificationJob> {
  const { settings } = deps;
  const worker = new Worker<NotificationJob, BatchResult>(
    queueNames.notifications,
    async (job: Job<NotificationJob>) => {
      const result = await deps.sender.sendBatch(notificationIdsOf(job.data));
      if (result.retry > 0) throw new NotificationsToRetryError(result);
      return result;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: settings.concurrency,
      // A job may stall (its worker died mid-push) more than once before BullMQ gives up on it;
      // the rows stay QUEUED either way and the dispatcher's re-drive picks them up.
      maxStalledCount: 3,
      ...(settings.lockDurationMs !== undefined && { lockDuration: settings.lockDurationMs }),
      ...(settings.stalledIntervalMs !== undefined && { stalledInterval: settings.stalledIntervalMs }),
    },
  );
  worker.on('failed', (job, err) => {
    if (!(err instanceof NotificationsToRetryError)) deps.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'notification job failed');
  });
  worker.on('error', (err) => deps.log.warn({ queue: queueNames.notifications, err: err.message }, 'worker error'));
  return worker;
}
