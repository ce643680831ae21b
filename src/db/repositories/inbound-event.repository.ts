/** Webhook events as stored before we answer LINE: the inbox of the per-user workers. */
import type { Db, PrismaClient } from '../client.js';
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
