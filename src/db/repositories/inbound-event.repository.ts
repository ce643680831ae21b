/** Webhook events as stored before we answer LINE: the inbox of the per-user workers. */
import type { Db } from '../client.js';

export interface NewInboundEvent {
  webhookEventId: string;
  sourceKey: string;
  type: string;
  /** Encrypted event JSON. */
  payload: string;
  eventTime: Date;
}

/**
 * Stores events; ones already stored (redeliveries) are skipped. One statement whatever the
 * batch size (arrays unnested server-side): this is the webhook's hot path.
 */
export async function insertInboundEvents(db: Db, events: NewInboundEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  return db.$executeRaw`
    INSERT INTO inbound_event (webhook_event_id, source_key, type, payload, event_time)
    SELECT * FROM unnest(
      ${events.map((e) => e.webhookEventId)}::text[], ${events.map((e) => e.sourceKey)}::text[],
      ${events.map((e) => e.type)}::text[], ${events.map((e) => e.payload)}::text[],
      ${events.map((e) => e.eventTime.toISOString())}::timestamptz[])
    ON CONFLICT (webhook_event_id) DO NOTHING`;
}

/** The oldest unprocessed event of one user (arrival order). Call with the user's session locked. */
export function nextPendingEvent(db: Db, sourceKey: string) {
  return db.inboundEvent.findFirst({
    where: { sourceKey, processedAt: null },
    orderBy: { seq: 'asc' },
  });
}

/** Another transaction marked the event processed first: this one must roll back what it did. */
export class EventAlreadyProcessed extends Error {
  constructor(webhookEventId: string) {
    super(`event ${webhookEventId} was processed by another worker`);
    this.name = 'EventAlreadyProcessed';
  }
}

/**
 * Marks an event done and drops its payload: we keep only the id (for deduplication) and the
 * outcome. Only an unprocessed event is marked: if another worker handled it meanwhile (its
 * user lock was lost with a database connection), this throws EventAlreadyProcessed, so the
 * caller's transaction rolls back and the event is answered once. A concurrent marker waits
 * on the row lock and then finds it processed.
 */
export async function markEventProcessed(db: Db, webhookEventId: string, now: Date, error?: string): Promise<void> {
  const { count } = await db.inboundEvent.updateMany({ where: { webhookEventId, processedAt: null }, data: { processedAt: now, payload: null, error: error ?? null } });
  if (count === 0) throw new EventAlreadyProcessed(webhookEventId);
}

/** Users with events waiting longer than `olderThan` (a drain was lost, e.g. a crash). */
export async function sourcesWithStaleEvents(db: Db, olderThan: Date, limit = 1000): Promise<string[]> {
  const rows = await db.inboundEvent.findMany({
    where: { processedAt: null, receivedAt: { lt: olderThan } },
    select: { sourceKey: true },
    distinct: ['sourceKey'],
    take: limit,
  });
  return rows.map((r) => r.sourceKey);
}

export function countPendingEvents(db: Db): Promise<number> {
  return db.inboundEvent.count({ where: { processedAt: null } });
}
