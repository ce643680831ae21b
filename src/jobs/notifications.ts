/**
 * The notification sender: a BullMQ worker on the 'notifications' queue that turns one
 * planned notification row into one LINE push, under a global rate limit (LINE allows 2,000
 * push requests/s per channel; BullMQ's limiter is shared by every worker of the queue).
 *
 * For each job: load the row (with the user's locale and friendship); anything but QUEUED is
 * already settled; an unfollowed user is SKIPPED; the renderer of its kind builds the message
 * from current data (null = no longer applies → SKIPPED); then push with
 * X-Line-Retry-Key = the notification id and record the outcome on the row:
 *   2xx, 409 (already accepted)  → SENT (+ x-line-request-id, sent_at)
 *   429                          → the whole queue pauses (queue.rateLimit), job retried
 *   5xx, network                 → retried with exponential backoff (BullMQ attempts)
 *   other 4xx                    → FAILED at once
 * Every push attempt increments `attempts` and keeps `last_error`; at `maxAttempts` the row is
 * FAILED. Attempts are bounded on the row, not by BullMQ, because a RateLimitError does not
 * count as a BullMQ attempt and a re-driven job starts BullMQ's count again.
 *
 * Crash safety: the row stays QUEUED until its outcome is written. A worker killed between
 * LINE accepting the push and that write leaves the job active; BullMQ's stalled-job check
 * hands it to another worker, whose push carries the same retry key, so LINE answers 409 and
 * the row becomes SENT: never a second copy, never a lost reminder.
 *
 * Throughput: rows are read and outcomes written in small batches shared by the jobs running
 * at the same moment (one query for many jobs), so PostgreSQL is not the limit at 2,000/s.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../db/client.js';
import type { BotServices } from '../bot/context.js';
import { isLocale, translator } from '../i18n/index.js';
import { LineApiError, type LineGateway } from '../line/line-gateway.js';
import type { NotificationKind } from '../domain/notifications/schedule-notifications.js';
import type { NotificationRenderers } from '../notifications/renderers.js';
import type { Logger } from '../shared/logger.js';
import { createBatcher } from './intake-batcher.js';
import { queueNames } from './queues.js';
import type { NotificationJob } from './notification-dispatch.js';

export interface NotificationSenderSettings {
  /** Push requests per second across every worker of the queue (LINE: 2,000 per channel). */
  pushRatePerSecond: number;
  /** Jobs one worker process runs at once (pushes in flight). */
  concurrency: number;
  /** Push attempts per notification before it is FAILED. */
  maxAttempts: number;
  /** How long the queue pauses after LINE answers 429. */
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

export type SendResult = FinalStatus | 'retry' | 'settled';

export interface NotificationSender {
  /** Handles one notification; throws to have BullMQ retry it. */
  send(notificationId: string): Promise<SendResult>;
}

export function createNotificationSender(deps: {
  db: PrismaClient;
  line: LineGateway;
  renderers: NotificationRenderers;
  services: BotServices;
  /** Used to pause the whole queue when LINE answers 429. */
  queue: Pick<Queue, 'rateLimit'>;
  settings: Pick<NotificationSenderSettings, 'maxAttempts' | 'rateLimitedPauseMs'>;
  now: () => Date;
  log: Logger;
}): NotificationSender {
  const { db, line, renderers, services, queue, settings, log } = deps;

  // Reads of the rows of jobs that start together share one query.
  const reads = createBatcher<{ id: string; row?: SendRow }>({
    maxBatchSize: 500,
    maxConcurrentWrites: 2,
    write: async (items) => {
      const rows = await db.$queryRaw<SendRow[]>`
        SELECT n.id, n.kind, n.line_user_id, n.person_id, n.appointment_id, n.appointment_version, n.data,
               n.due_at, n.status::text AS status, n.attempts, u.locale, u.following
        FROM notification n LEFT JOIN line_user u ON u.id = n.line_user_id
        WHERE n.id = ANY(${items.map((i) => i.id)}::uuid[])`;
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const item of items) {
        const row = byId.get(item.id);
        if (row) item.row = row;
      }
    },
  });
  const loadRow = async (id: string): Promise<SendRow | undefined> => {
    const item: { id: string; row?: SendRow } = { id };
    await reads.add([item]);
    return item.row;
  };

  // Outcomes of jobs that end together are written in one UPDATE; a job completes only after
  // its outcome is committed (add() resolves then), so BullMQ never forgets an unrecorded push.
  const writes = createBatcher<Outcome>({
    maxBatchSize: 500,
    maxConcurrentWrites: 2,
    write: async (outcomes) => {
      await db.$executeRaw`
        UPDATE notification n SET
          status = v.status::"NotificationStatus",
          attempts = n.attempts + v.attempted,
          last_error = COALESCE(v.last_error, n.last_error),
          line_request_id = COALESCE(v.request_id, n.line_request_id),
          sent_at = COALESCE(v.sent_at, n.sent_at)
        FROM unnest(
          ${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.attempted)}::int[],
          ${outcomes.map((o) => o.lastError)}::text[], ${outcomes.map((o) => o.requestId)}::text[], ${outcomes.map((o) => o.sentAt)}::timestamptz[]
        ) AS v(id, status, attempted, last_error, request_id, sent_at)
        -- Only a row still in flight changes; but a push LINE accepted is recorded even if the
        -- row was cancelled while it was in flight, because it was sent.
        WHERE n.id = v.id AND (n.status = 'QUEUED' OR (v.status = 'SENT' AND n.status = 'CANCELLED'))`;
    },
  });
  const record = (outcome: Outcome) => writes.add([outcome]);
  const settle = (id: string, status: FinalStatus, lastError: string | null) =>
    record({ id, status, attempted: 0, lastError, requestId: null, sentAt: null });

  return {
    async send(notificationId) {
      const row = await loadRow(notificationId);
      // Sent, cancelled, skipped or failed already (a repeated or re-driven job), or deleted.
      if (!row || row.status !== 'QUEUED') return 'settled';
      if (row.attempts >= settings.maxAttempts) {
        // A re-driven job of a row that used up its attempts: keep the last push error.
        await settle(row.id, 'FAILED', null);
        return 'FAILED';
      }
      if (!row.following) {
        await settle(row.id, 'SKIPPED', row.following === null ? 'no LINE user' : 'unfollowed');
        return 'SKIPPED';
      }
      const renderer = renderers[row.kind as NotificationKind];
      if (!renderer) {
        await settle(row.id, 'FAILED', `no renderer for '${row.kind}'`);
        return 'FAILED';
      }
      const locale = isLocale(row.locale) ? row.locale : 'th';
      const now = deps.now();
      const attempt = row.attempts + 1;
      const fail = async (lastError: string, retryable: boolean, requestId: string | null = null) => {
        const final = !retryable || attempt >= settings.maxAttempts;
        await record({ id: row.id, status: final ? 'FAILED' : 'QUEUED', attempted: 1, lastError, requestId, sentAt: null });
        if (final) log.warn({ notificationId: row.id, attempt, lastError: lastError.slice(0, 100) }, 'notification failed');
        return final;
      };
      // A renderer that throws (a bug, the database away) counts as an attempt too, so a
      // notification that can never render ends FAILED instead of being retried for ever.
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
        { db, locale, t: translator(locale), now, services },
      ).catch(async (err: unknown) => {
        if (await fail(`render: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500), true)) return 'failed' as const;
        throw err;
      });
      if (messages === 'failed') return 'FAILED';
      if (!messages) {
        await settle(row.id, 'SKIPPED', 'no longer applies');
        return 'SKIPPED';
      }

      try {
        const result = await line.push(row.line_user_id, messages, row.id);
        await record({ id: row.id, status: 'SENT', attempted: 1, lastError: null, requestId: result.requestId ?? null, sentAt: deps.now() });
        return 'SENT';
      } catch (err) {
        if (!(err instanceof LineApiError)) throw err;
        if (await fail(`${err.status || 'network'}: ${err.body.slice(0, 500)}`, err.retryable, err.requestId ?? null)) return 'FAILED';
        if (err.status === 429) {
          // LINE's limit is per channel: pause every worker of the queue, then retry this job.
          // A RateLimitError is not a BullMQ attempt; the row's attempts bound these retries.
          await queue.rateLimit(settings.rateLimitedPauseMs ?? 1_000);
          throw Worker.RateLimitError();
        }
        throw err;
      }
    },
  };
}

/**
 * The notifications worker: the sender under BullMQ's global rate limiter. A job whose push
 * is retryable throws, and BullMQ retries it with the backoff set when it was queued.
 */
export function createNotificationWorker(deps: {
  connection: Redis;
  prefix: string;
  sender: NotificationSender;
  settings: NotificationSenderSettings;
  log: Logger;
}): Worker<NotificationJob> {
  const { settings } = deps;
  const worker = new Worker<NotificationJob, SendResult>(queueNames.notifications, (job: Job<NotificationJob>) => deps.sender.send(job.data.notificationId), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: settings.concurrency,
    limiter: { max: settings.pushRatePerSecond, duration: 1_000 },
    // A job may stall (its worker died mid-push) more than once before BullMQ gives up on it;
    // the row stays QUEUED either way and the dispatcher's re-drive picks it up.
    maxStalledCount: 3,
    ...(settings.lockDurationMs !== undefined && { lockDuration: settings.lockDurationMs }),
    ...(settings.stalledIntervalMs !== undefined && { stalledInterval: settings.stalledIntervalMs }),
  });
  worker.on('failed', (job, err) => {
    if (err.name !== 'RateLimitError') deps.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'notification job failed');
  });
  worker.on('error', (err) => deps.log.warn({ queue: queueNames.notifications, err: err.message }, 'worker error'));
  return worker;
}
