/** Webhook events as stored before we answer LINE: the inbox of the per-user workers. */
import type { Db, PrismaClient } from '../client.js';
import type { HeldLock } from '../user-lock.js';
import { statementsOn, type Statement } from '../statements.js';

export interface NewInboundEvent {
  webhookEventId: string;
  sourceKey: string;
  type: string;
  /** Encrypted event JSON. */
  payload: string;
  eventTime: Date;
}

/**
 * Stores events; ones already stored (redeliveries) are skipped. One prepared statement
 * whatever the batch size (arrays unnested server-side), on the root client's pool: this is
 * the webhook's hot path.
 */
export async function insertInboundEvents(db: Db | PrismaClient, events: NewInboundEvent[]): Promise<void> {
  if (events.length === 0) return;
  await statementsOn(db).run(INSERT_EVENTS, [
    events.map((e) => e.webhookEventId), events.map((e) => e.sourceKey), events.map((e) => e.type),
    events.map((e) => e.payload), events.map((e) => e.eventTime.toISOString()),
  ]);
}

const INSERT_EVENTS: Statement = {
  name: 'inbound-insert',
  text: `INSERT INTO inbound_event (webhook_event_id, source_key, type, payload, event_time)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT (webhook_event_id) DO NOTHING`,
};

export interface PendingEvent {
  webhookEventId: string;
  sourceKey: string;
  type: string;
  /** Encrypted event JSON. */
  payload: string | null;
}

/**
 * The unprocessed events of these users in arrival order, at most `limit` (a prefix of each
 * user's own order). Run on the users' lock connection: holding their locks, nobody else
 * handles these events meanwhile.
 */
export function pendingEventsOf(lock: HeldLock, sourceKeys: string[], limit: number): Promise<PendingEvent[]> {
  return lock.run<PendingEvent>(PENDING_EVENTS, [sourceKeys, limit]);
}

const PENDING_EVENTS: Statement = {
  name: 'inbound-pending-of',
  text: `SELECT webhook_event_id AS "webhookEventId", source_key AS "sourceKey", type, payload
           FROM inbound_event WHERE source_key = ANY($1::text[]) AND processed_at IS NULL
          ORDER BY seq LIMIT $2`,
};

/** Another transaction marked the event processed first: this one must roll back what it did. */
export class EventAlreadyProcessed extends Error {
  constructor(webhookEventId: string) {
    super(`event ${webhookEventId} was processed by another worker`);
    this.name = 'EventAlreadyProcessed';
  }
}

/**
 * Marks events done and drops their payloads: we keep only the id (for deduplication) and the
 * outcome. Only unprocessed events are marked: if another worker handled one meanwhile (its
 * user lock was lost with a database connection), this throws EventAlreadyProcessed, so the
 * caller's transaction rolls back and every event is answered once. A concurrent marker waits
 * on the row lock and then finds it processed.
 */
export async function markEventsProcessed(db: Db, webhookEventIds: string[], now: Date, error?: string): Promise<void> {
  if (webhookEventIds.length === 0) return;
  const count = await db.$executeRawUnsafe(
    `UPDATE inbound_event SET processed_at = $2::timestamptz, payload = NULL, error = $3::text
      WHERE webhook_event_id = ANY($1::text[]) AND processed_at IS NULL`,
    webhookEventIds, now.toISOString(), error ?? null,
  );
  if (count !== webhookEventIds.length) throw new EventAlreadyProcessed(webhookEventIds.join(', '));
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
