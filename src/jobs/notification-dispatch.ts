/**
 * The notification dispatcher (a BullMQ job scheduler runs one pass every few seconds): hands
 * due rows of the notification table to the rate-limited notifications queue.
 *
 * PostgreSQL is the source of truth, Redis only carries the work: a pass claims due
 * SCHEDULED rows (FOR UPDATE SKIP LOCKED, so passes never claim the same row), marks them
 * QUEUED in that transaction, and only then adds one job per row with the deterministic
 * jobId `ntf-<id>` (adding an existing jobId is a no-op). A crash between the commit and the
 * add, or a Redis that lost its jobs, leaves QUEUED rows without a job: the re-drive step
 * finds QUEUED rows that have waited too long and adds the jobs again when BullMQ no longer
 * holds them. Re-adding is safe because the sender is idempotent (row status + LINE retry key).
 */
import type { Queue } from 'bullmq';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { defaultJobOptions } from './queues.js';

export interface NotificationJob {
  notificationId: string;
}

export interface DispatchSettings {
  /** Rows due within this many ms are queued now, as delayed jobs (smooths the 09:00 peak). */
  lookaheadMs: number;
  /** Rows claimed per transaction. */
  batchSize: number;
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
  maxBatchesPerPass: 40,
  redriveAfterMs: 10 * 60_000,
  jobAttempts: 20,
  retryBackoffMs: 1_000,
};

/** The job id of a notification: deterministic, no ':' (BullMQ rule). */
export function notificationJobId(notificationId: string): string {
  return `ntf-${notificationId}`;
}

/** Job options: a 5xx is retried with exponential backoff (1 s, 2 s, 4 s, … by default). */
export function notificationJobOptions(settings: Pick<DispatchSettings, 'jobAttempts' | 'retryBackoffMs'>, notificationId: string, delayMs: number) {
  return {
    ...defaultJobOptions,
    jobId: notificationJobId(notificationId),
    delay: Math.max(0, Math.round(delayMs)),
    attempts: settings.jobAttempts,
    backoff: { type: 'exponential', delay: settings.retryBackoffMs },
  };
}

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
    const rows = await db.$queryRaw<Array<{ id: string; due_at: Date }>>`
      WITH due AS (
        SELECT id FROM notification
        WHERE status = 'SCHEDULED' AND due_at <= ${horizon}
        ORDER BY due_at
        LIMIT ${settings.batchSize}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE notification n SET status = 'QUEUED', queued_at = ${now}
      FROM due WHERE n.id = due.id
      RETURNING n.id, n.due_at`;
    if (rows.length === 0) break;
    await queue.addBulk(
      rows.map((row) => ({ name: 'send', data: { notificationId: row.id }, opts: notificationJobOptions(settings, row.id, row.due_at.getTime() - now.getTime()) })),
    );
    queued += rows.length;
    if (rows.length < settings.batchSize) break;
  }
  const redriven = await redriveLostJobs({ db, queue, now, settings });
  if (redriven > 0) deps.log?.warn({ redriven }, 'notifications: re-drove QUEUED rows whose job was lost');
  if (queued > 0) deps.log?.info({ queued }, 'notifications: queued due rows');
  return { queued, redriven };
}

const REDRIVE_BATCH = 1_000;

/**
 * QUEUED rows that have waited longer than `redriveAfterMs`: their queued_at is bumped (so each
 * is checked at most once per period) and BullMQ is asked about their job. Waiting, delayed
 * or active jobs are left alone (a dead worker's active job comes back through BullMQ's
 * stalled-job check); a missing job is added again; a job that ended while its row is still
 * QUEUED (it never wrote an outcome) is removed and added again.
 */
async function redriveLostJobs(deps: { db: PrismaClient; queue: Queue<NotificationJob>; now: Date; settings: DispatchSettings }): Promise<number> {
  const { db, queue, now, settings } = deps;
  const cutoff = new Date(now.getTime() - settings.redriveAfterMs);
  const stale = await db.$queryRaw<Array<{ id: string }>>`
    WITH stale AS (
      SELECT id FROM notification
      WHERE status = 'QUEUED' AND due_at < ${cutoff} AND queued_at < ${cutoff}
      ORDER BY queued_at
      LIMIT ${REDRIVE_BATCH}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE notification n SET queued_at = ${now}
    FROM stale WHERE n.id = stale.id
    RETURNING n.id`;
  if (stale.length === 0) return 0;
  const states = await Promise.all(stale.map(async ({ id }) => ({ id, state: await queue.getJobState(notificationJobId(id)) })));
  const lost = states.filter((s) => s.state === 'unknown' || s.state === 'completed' || s.state === 'failed');
  for (const { id, state } of lost) if (state !== 'unknown') await queue.remove(notificationJobId(id));
  if (lost.length > 0) {
    await queue.addBulk(lost.map(({ id }) => ({ name: 'send', data: { notificationId: id }, opts: notificationJobOptions(settings, id, 0) })));
  }
  return lost.length;
}
