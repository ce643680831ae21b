/**
 * A chat round's reads and writes (src/jobs/drain-users.ts), one statement each: on booking
 * day every round trip to PostgreSQL is a syscall on each side and a wait, so the round reads
 * everything it starts from at once and writes everything it decided at once.
 */
import type { Db } from '../client.js';
import { emptySession, type SessionState } from '../../bot/engine.js';
import type { HeldLock } from '../user-lock.js';
import { statementsOn, type Statement } from '../statements.js';

/** A stored webhook event waiting to be handled. */
export interface PendingEvent {
  webhookEventId: string;
  sourceKey: string;
  type: string;
  /** Encrypted event JSON. */
  payload: string | null;
}

/** What handling a user's events starts from. */
export interface Conversation {
  lineUserId: string;
  locale: string;
  session: SessionState;
  /** Older answers not delivered yet (LINE was down): new ones queue behind them. */
  hasUndelivered: boolean;
  /** Registered people of the account at the round's start (the help menu depends on it); gone once an event of the user ran a flow. */
  registration?: { hasSelf: boolean; familyCount: number };
}

export interface RoundStart {
  /** Pending events of the users, in arrival order, at most the limit (a prefix of each user's). */
  events: PendingEvent[];
  /** The conversation of each LINE user among them (groups and rooms have none). */
  conversations: Map<string, Conversation>;
}

/**
 * Reads a round: the users' pending events in arrival order (at most `limit`), and for each
 * LINE user among them their locale, conversation state, whether older answers wait, and how
 * many people the account registered; a user seen for the first time gets their line_user row
 * (inserted, never rewritten: an upsert would leave a dead row per event). Run on the users'
 * lock connection, holding their locks: nobody else changes these rows meanwhile.
 */
export async function readRound(lock: HeldLock, sourceKeys: string[], limit: number): Promise<RoundStart> {
  const rows = await lock.run<{
    webhook_event_id: string; source_key: string; type: string; payload: string | null;
    is_user: boolean; locale: string | null; flow_id: string | null; step: string | null; data: unknown; version: number | null; expires_at: Date | null;
    undelivered: boolean; self: number; family: number;
  }>(READ_ROUND, [sourceKeys, limit]);
  const events: PendingEvent[] = [];
  const conversations = new Map<string, Conversation>();
  for (const r of rows) {
    events.push({ webhookEventId: r.webhook_event_id, sourceKey: r.source_key, type: r.type, payload: r.payload });
    if (!r.is_user || conversations.has(r.source_key)) continue;
    conversations.set(r.source_key, {
      lineUserId: r.source_key,
      locale: r.locale ?? 'th',
      session: r.version === null ? emptySession : { flowId: r.flow_id, step: r.step, data: r.data, version: r.version, expiresAt: r.expires_at },
      hasUndelivered: r.undelivered,
      registration: { hasSelf: r.self > 0, familyCount: r.family },
    });
  }
  return { events, conversations };
}

// LINE ids: users U + 32 hex, groups C…, rooms R… (the webhook validates the shapes); only
// users get a line_user row and a conversation.
const READ_ROUND: Statement = {
  name: 'conversation-round-read',
  text: `
    WITH ev AS (
      SELECT webhook_event_id, source_key, type, payload, seq FROM inbound_event
       WHERE source_key = ANY($1::text[]) AND processed_at IS NULL
       ORDER BY seq LIMIT $2
    ), users AS (
      SELECT DISTINCT source_key AS id FROM ev WHERE source_key LIKE 'U%'
    ), created AS (
      INSERT INTO line_user (id, followed_at, updated_at) SELECT id, now(), now() FROM users
      ON CONFLICT (id) DO NOTHING
      RETURNING id, locale
    ), conv AS (
      SELECT users.id, coalesce(created.locale, u.locale) AS locale,
             s.flow_id, s.step, s.data, s.version, s.expires_at,
             EXISTS (SELECT 1 FROM outbound_message o WHERE o.line_user_id = users.id AND o.status IN ('PENDING', 'SENDING')) AS undelivered,
             p.self, p.family
        FROM users
        LEFT JOIN created ON created.id = users.id
        LEFT JOIN line_user u ON u.id = users.id
        LEFT JOIN conversation_session s ON s.line_user_id = users.id
        CROSS JOIN LATERAL (
          SELECT count(*) FILTER (WHERE is_self)::int AS self, count(*) FILTER (WHERE NOT is_self)::int AS family
            FROM person WHERE owner_id = users.id) p
    )
    SELECT ev.webhook_event_id, ev.source_key, ev.type, ev.payload, conv.id IS NOT NULL AS is_user,
           conv.locale, conv.flow_id, conv.step, conv.data, conv.version, conv.expires_at, coalesce(conv.undelivered, false) AS undelivered,
           coalesce(conv.self, 0) AS self, coalesce(conv.family, 0) AS family
      FROM ev LEFT JOIN conv ON conv.id = ev.source_key
     ORDER BY ev.seq`,
};

/** An outbox row as a round writes it. */
export interface NewOutboundMessage {
  id: string;
  lineUserId: string;
  messages: unknown[];
  replyToken?: string;
  replyBefore?: Date;
  richMenu?: string;
  /**
   * Claimed for delivery by the transaction that decided it (SENDING), so the deliverer that
   * committed it sends it at once without claiming it again; PENDING when older answers of the
   * user wait (they go first, through claimOldestUndelivered).
   */
  claimed: boolean;
}

/** Another transaction marked one of the events processed first: this one must roll back. */
export class EventAlreadyProcessed extends Error {
  constructor(webhookEventIds: string[]) {
    super(`event(s) ${webhookEventIds.join(', ')} were processed by another worker`);
    this.name = 'EventAlreadyProcessed';
  }
}

/**
 * Writes what a round decided, in the round's transaction (with the flows' own writes, all or
 * nothing), in ONE statement: the changed conversation states, the outbox rows in order (their
 * seq is the user's delivery order), and the events marked processed with their payloads
 * dropped (we keep the id, for deduplication, and the outcome). Only unprocessed events are
 * marked: if another worker handled one meanwhile (its user's lock was lost with a database
 * connection), this throws EventAlreadyProcessed and the round rolls back, so every event is
 * answered once. A concurrent marker waits on the row lock and then finds it processed.
 */
export async function writeRound(
  db: Db,
  round: {
    sessions: Array<{ lineUserId: string; session: SessionState }>;
    outbox: NewOutboundMessage[];
    processed: string[];
    /** Why the events failed (their answer is "something went wrong"); none for a normal round. */
    error?: string;
    now: Date;
  },
): Promise<void> {
  const { sessions, outbox, processed, now } = round;
  const [written] = await statementsOn(db).run<{ marked: number }>(WRITE_ROUND, [
    now.toISOString(),
    round.error ?? null,
    processed,
    sessions.map((s) => s.lineUserId),
    sessions.map((s) => s.session.flowId),
    sessions.map((s) => s.session.step),
    // JSON as text (a flow's data that is not plain JSON fails here, and the event with it).
    sessions.map((s) => (s.session.data === null || s.session.data === undefined ? null : JSON.stringify(s.session.data))),
    sessions.map((s) => s.session.version),
    sessions.map((s) => s.session.expiresAt?.toISOString() ?? null),
    outbox.map((r) => r.id),
    outbox.map((r) => r.lineUserId),
    outbox.map((r) => r.replyToken ?? null),
    outbox.map((r) => r.replyBefore?.toISOString() ?? null),
    outbox.map((r) => JSON.stringify(r.messages)),
    outbox.map((r) => r.richMenu ?? null),
    outbox.map((r) => r.claimed),
  ]);
  if (written!.marked !== processed.length) throw new EventAlreadyProcessed(processed);
}

const WRITE_ROUND: Statement = {
  name: 'conversation-round-write',
  text: `
    WITH marked AS (
      UPDATE inbound_event SET processed_at = $1::timestamptz, payload = NULL, error = $2::text
       WHERE webhook_event_id = ANY($3::text[]) AND processed_at IS NULL
      RETURNING 1
    ), sessions AS (
      INSERT INTO conversation_session AS c (line_user_id, flow_id, step, data, version, expires_at, updated_at)
      SELECT u.id, u.flow_id, u.step, u.data::jsonb, u.version, u.expires_at, $1::timestamptz
        FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::timestamptz[]) AS u(id, flow_id, step, data, version, expires_at)
      ON CONFLICT (line_user_id) DO UPDATE SET flow_id = EXCLUDED.flow_id, step = EXCLUDED.step, data = EXCLUDED.data,
        version = EXCLUDED.version, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
    ), outbox AS (
      INSERT INTO outbound_message (id, line_user_id, reply_token, reply_before, messages, rich_menu, status, claimed_at, attempts, created_at)
      SELECT r.id, r.line_user_id, r.reply_token, r.reply_before, r.messages::jsonb, r.rich_menu,
             CASE WHEN r.claimed THEN 'SENDING' ELSE 'PENDING' END::"OutboundStatus",
             CASE WHEN r.claimed THEN $1::timestamptz END, CASE WHEN r.claimed THEN 1 ELSE 0 END, $1::timestamptz
        FROM unnest($10::uuid[], $11::text[], $12::text[], $13::timestamptz[], $14::text[], $15::text[], $16::boolean[])
             WITH ORDINALITY AS r(id, line_user_id, reply_token, reply_before, messages, rich_menu, claimed, n)
       ORDER BY r.n
    )
    SELECT (SELECT count(*) FROM marked)::int AS marked`,
};
