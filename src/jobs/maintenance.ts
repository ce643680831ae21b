/**
 * The periodic sweep (a BullMQ job scheduler, so one worker runs it at a time): re-drives
 * work a crash left behind. Events stored but never drained (the process died between
 * storing and enqueueing, or Redis lost the job) get a new drain; outbox rows nobody is
 * delivering get a delivery job.
 */
import type { Queue } from 'bullmq';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { sourcesWithStaleEvents } from '../db/repositories/inbound-event.repository.js';
import { usersWithStuckOutbound } from '../db/repositories/outbound-message.repository.js';
import { CLAIM_STALE_AFTER_MS } from '../line/outbound-delivery.js';
import { defaultJobOptions } from './queues.js';
import type { LineEventJob } from './line-events.js';
import { lapseUnansweredCheckins } from '../domain/follow-up/answer-checkin.js';

/** Work younger than this is assumed to be in flight. */
const GRACE_MS = 30_000;

export async function runMaintenanceSweep(deps: {
  db: PrismaClient;
  lineEventsQueue: Queue<LineEventJob>;
  scheduleDeliveryRetry: (lineUserId: string) => Promise<void>;
  now: Date;
  log: Logger;
  /**
   * At a process's start: re-drive every claimed (SENDING) row whatever its age. A process
   * that died a moment ago left claims younger than CLAIM_STALE_AFTER_MS whose reply tokens
   * can prove them now and not in a minute; a live deliverer's claim only costs a job that
   * waits for the user's lock and finds the row done.
   */
  allClaims?: boolean;
}): Promise<{ drains: number; deliveries: number }> {
  const { db, now } = deps;
  const sources = await sourcesWithStaleEvents(db, new Date(now.getTime() - GRACE_MS));
  if (sources.length > 0) {
    const minute = Math.floor(now.getTime() / 60_000);
    await deps.lineEventsQueue.addBulk(
      sources.map((sourceKey) => ({ name: 'drain', data: { sourceKey }, opts: { ...defaultJobOptions, jobId: `sweep-${sourceKey}-${minute}` } })),
    );
  }
  // Check-ins left unanswered past their day (issue 6).
  await lapseUnansweredCheckins(db, now);
  const stuck = await usersWithStuckOutbound(db, { pendingBefore: new Date(now.getTime() - GRACE_MS), claimedBefore: new Date(now.getTime() - (deps.allClaims ? 0 : CLAIM_STALE_AFTER_MS)) });
  for (const lineUserId of stuck) await deps.scheduleDeliveryRetry(lineUserId);
  if (sources.length + stuck.length > 0) deps.log.warn({ drains: sources.length, deliveries: stuck.length }, 'sweep re-drove stranded work');
  return { drains: sources.length, deliveries: stuck.length };
}
