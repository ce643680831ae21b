/**
 * The notification dispatcher (a BullMQ job scheduler runs one pass every few seconds): hands
 * due rows of the notification table to the rate-limited notifications queue, in send batches.
 *
 * PostgreSQL is the source of truth, Redis only carries the work: a pass claims due
 * SCHEDULED rows (FOR UPDATE SKIP LOCKED, so passes never claim the same row), marks them
 * QUEUED in that transaction with the id of the job that will carry them, and only then adds
 * the jobs. A job is a send batch: up to `sendBatchSize` rows due in the same second, delayed
 * until the last of them is due (so nothing goes early, and at most a second late). One job
 * per batch instead of per row keeps Redis, BullMQ and PostgreSQL work per push small: the
 * sender reads, renders and records a batch with a few statements.
 *
 * A crash between the commit and the add, or a Redis that lost its jobs, leaves QUEUED rows
 * without a job: the re-drive step finds QUEUED rows that have waited too long, asks BullMQ
 * about their job, and adds it again when BullMQ no longer holds it. Re-adding is safe because
 * the sender is idempotent (row status + LINE retry key).
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { defaultJobOptions } from './queues.js';

/** A send batch. Jobs queued before batches carried one `notificationId`; both are read. */
export interface NotificationJob {
  notificationIds?: string[];
  notificationId?: string;
}

export function notificationIdsOf(job: NotificationJob): string[] {
  return job.notificationIds ?? (job.notificationId ? [job.notificationId] : []);
}

export interface DispatchSettings {
  /** Rows due within this many ms are queued now, as delayed jobs (smooths the 09:00 peak). */
  lookaheadMs: number;
  /** Rows claimed per transaction. */
  batchSize: number;
  /** Rows per send job (one read, one render query, one outcome write for all of them). */
  sendBatchSize: number;
  /** At most this many batches per pass, so one pass stays short. */
  maxBatchesPerPass: number;
  /** A QUEUED row older than this (and due that long ago) is checked for a lost job. */
  redriveAfterMs: number;
  /** BullMQ attempts per job; the sender bounds attempts itself, on the row (see notifications.ts). */
  jobAttempts: number;
  /** First retry delay after a 5xx or network error; doubles each attempt. */
  retryBackoffMs: number;
}

export const defaultDispatchSettings: DispatchSettings = {
  lookaheadMs: 60_000,
  batchSize: 5_000,
  sendBatchSize: 100,
  maxBatchesPerPass: 40,
  redriveAfterMs: 10 * 60_000,
  jobAttempts: 20,
  retryBackoffMs: 1_000,
};

/** Job options: a 5xx is retried with exponential backoff (1 s, 2 s, 4 s, … by default). */
export function notificationJobOptions(settings: Pick<DispatchSettings, 'jobAttempts' | 'retryBackoffMs'>, jobId: string, delayMs: number) {
  return {
    ...defaultJobOptions,
    jobId,
    delay: Math.max(0, Math.round(delayMs)),
    attempts: settings.jobAttempts,
    backoff: { type: 'exponential', delay: settings.retryBackoffMs },
  };
}

/** The job of a row queued before send batches existed. */
const legacyJobId = (notificationId: string) => `ntf-${notificationId}`;

/**
 * One dispatch pass at `now`: claims due rows in batches and queues them, then re-drives
 * stale QUEUED rows. Tests and benchmarks call it directly with their own clock.
 */
export async function dispatchDueNotifications(deps: {
  db: PrismaClient;
  queue: Queue<NotificationJob>;
  now: Date;
  settings?: Partial<DispatchSettings>;
  log?: Logger;
}): Promise<{ queued: number; redriven: number }> {
  const settings = { ...defaultDispatchSettings, ...deps.settings };
  const { db, queue, now } = deps;
  const horizon = new Date(now.getTime() + settings.lookaheadMs);
  let queued = 0;
  for (let batch = 0; batch < settings.maxBatchesPerPass; batch++) {
    // Committed before the jobs are added: a job must never see its row still SCHEDULED.
    // Rows are cut into send jobs by the second they are due and then by count; the job id
    // (no ':', a BullMQ rule) is stored on the row for the re-drive.
    const rows = await db.$queryRaw<Array<{ id: string; due_at: Date; send_job: string }>>`
      WITH due AS (
        SELECT id, due_at FROM notification
        WHERE status = 'SCHEDULED' AND due_at <= ${horizon}
        ORDER BY due_at
        LIMIT ${settings.batchSize}
        FOR UPDATE SKIP LOCKED
      ), cut AS (
        SELECT id, floor(extract(epoch FROM due_at))::bigint AS second,
               (row_number() OVER (PARTITION BY floor(extract(epoch FROM due_at)) ORDER BY due_at, id) - 1) / ${settings.sendBatchSize}::int AS part
        FROM due
      )
      UPDATE notification n SET status = 'QUEUED', queued_at = ${now}, send_job = ${`ntfb-${randomUUID()}-`}::text || cut.second || '-' || cut.part
      FROM cut WHERE n.id = cut.id
      RETURNING n.id, n.due_at, n.send_job`;
    if (rows.length === 0) break;
    await queue.addBulk(sendJobsOf(rows, settings, now));
    queued += rows.length;
    if (rows.length < settings.batchSize) break;
  }
  const redriven = await redriveLostJobs({ db, queue, now, settings });
  if (redriven > 0) deps.log?.warn({ redriven }, 'notifications: re-drove QUEUED rows whose job was lost');
  if (queued > 0) deps.log?.info({ queued }, 'notifications: queued due rows');
  return { queued, redriven };
}

/** Groups claimed rows by their send job; each job waits until its last row is due. */
function sendJobsOf(rows: Array<{ id: string; due_at: Date; send_job: string }>, settings: DispatchSettings, now: Date) {
  const jobs = new Map<string, { ids: string[]; lastDue: number }>();
  for (const row of rows) {
    const job = jobs.get(row.send_job) ?? { ids: [], lastDue: 0 };
    job.ids.push(row.id);
    job.lastDue = Math.max(job.lastDue, row.due_at.getTime());
    jobs.set(row.send_job, job);
  }
  return [...jobs].map(([jobId, job]) => ({
    name: 'send',
    data: { notificationIds: job.ids } satisfies NotificationJob,
    opts: notificationJobOptions(settings, jobId, job.lastDue - now.getTime()),
  }));
}

const REDRIVE_BATCH = 1_000;

/**
 * QUEUED rows that have waited longer than `redriveAfterMs`: their queued_at is bumped (so each
 * is checked at most once per period) and BullMQ is asked about their job. Waiting, delayed
 * or active jobs are left alone (a dead worker's active job comes back through BullMQ's
 * stalled-job check); a missing job is added again with the stale rows; a job that ended while
 * rows of it are still QUEUED (it never wrote their outcome) is removed and added again.
 */
async function redriveLostJobs(deps: { db: PrismaClient; queue: Queue<NotificationJob>; now: Date; settings: DispatchSettings }): Promise<number> {
  const { db, queue, now, settings } = deps;
  const cutoff = new Date(now.getTime() - settings.redriveAfterMs);
  const stale = await db.$queryRaw<Array<{ id: string; send_job: string | null }>>`
    WITH stale AS (
      SELECT id FROM notification
      WHERE status = 'QUEUED' AND due_at < ${cutoff} AND queued_at < ${cutoff}
      ORDER BY queued_at
      LIMIT ${REDRIVE_BATCH}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE notification n SET queued_at = ${now}
    FROM stale WHERE n.id = stale.id
    RETURNING n.id, n.send_job`;
  if (stale.length === 0) return 0;
  const byJob = new Map<string, string[]>();
  for (const row of stale) {
    const jobId = row.send_job ?? legacyJobId(row.id);
    byJob.set(jobId, [...(byJob.get(jobId) ?? []), row.id]);
  }
  const states = await Promise.all([...byJob.keys()].map(async (jobId) => ({ jobId, state: await queue.getJobState(jobId) })));
  const lost = states.filter((s) => s.state === 'unknown' || s.state === 'completed' || s.state === 'failed');
  for (const { jobId, state } of lost) if (state !== 'unknown') await queue.remove(jobId);
  if (lost.length > 0) {
    await queue.addBulk(lost.map(({ jobId }) => ({ name: 'send', data: { notificationIds: byJob.get(jobId)! }, opts: notificationJobOptions(settings, jobId, 0) })));
  }
  return lost.reduce((sum, { jobId }) => sum + byJob.get(jobId)!.length, 0);
}
