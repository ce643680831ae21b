/** Conversation state rows, one per LINE user. */
import type { Db } from '../client.js';
import { emptySession, type SessionState } from '../../bot/engine.js';
import type { HeldLock } from '../user-lock.js';
import type { Statement } from '../statements.js';

/** What handling a user's events starts from. */
export interface Conversation {
  lineUserId: string;
  locale: string;
  session: SessionState;
  /** Older answers not delivered yet (LINE was down): new ones queue behind them. */
  hasUndelivered: boolean;
}

/**
 * Creates the LINE users seen for the first time and reads each user's locale, conversation
 * state and whether older answers still wait for delivery: one plain statement for a whole
 * batch, on the users' lock connection (holding their locks, nobody else changes these rows).
 * A new user's row is inserted, never rewritten (an upsert would leave a dead row per event).
 */
export async function loadConversations(lock: HeldLock, lineUserIds: string[]): Promise<Map<string, Conversation>> {
  const rows = await lock.run<{
    id: string; locale: string | null; flow_id: string | null; step: string | null; data: unknown; version: number | null; expires_at: Date | null; undelivered: boolean;
  }>(LOAD_CONVERSATIONS, [lineUserIds]);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        lineUserId: r.id,
        locale: r.locale ?? 'th',
        session: r.version === null ? emptySession : { flowId: r.flow_id, step: r.step, data: r.data, version: r.version, expiresAt: r.expires_at },
        hasUndelivered: r.undelivered,
      },
    ]),
  );
}

const LOAD_CONVERSATIONS: Statement = {
  name: 'conversations-load',
  text: `
    WITH ids AS (SELECT DISTINCT unnest($1::text[]) AS id),
    created AS (
      INSERT INTO line_user (id, followed_at, updated_at) SELECT id, now(), now() FROM ids
      ON CONFLICT (id) DO NOTHING
      RETURNING id, locale
    )
    SELECT ids.id, coalesce(created.locale, u.locale) AS locale,
           s.flow_id, s.step, s.data, s.version, s.expires_at,
           EXISTS (SELECT 1 FROM outbound_message o WHERE o.line_user_id = ids.id AND o.status IN ('PENDING', 'SENDING')) AS undelivered
      FROM ids
      LEFT JOIN created ON created.id = ids.id
      LEFT JOIN line_user u ON u.id = ids.id
      LEFT JOIN conversation_session s ON s.line_user_id = ids.id`,
};

/**
 * Writes the conversation states of several users in one statement, inside the transaction
 * that handled their events (state, domain writes and outbox commit together).
 */
export async function saveSessions(db: Db, sessions: Array<{ lineUserId: string; session: SessionState }>, now: Date): Promise<void> {
  if (sessions.length === 0) return;
  await db.$executeRawUnsafe(
    `INSERT INTO conversation_session AS c (line_user_id, flow_id, step, data, version, expires_at, updated_at)
     SELECT u.id, u.flow_id, u.step, u.data::jsonb, u.version, u.expires_at, $7::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[]) AS u(id, flow_id, step, data, version, expires_at)
     ON CONFLICT (line_user_id) DO UPDATE SET flow_id = EXCLUDED.flow_id, step = EXCLUDED.step, data = EXCLUDED.data,
       version = EXCLUDED.version, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`,
    sessions.map((s) => s.lineUserId),
    sessions.map((s) => s.session.flowId),
    sessions.map((s) => s.session.step),
    // JSON as text (a flow's data that is not plain JSON fails here, and the event with it).
    sessions.map((s) => (s.session.data === null || s.session.data === undefined ? null : JSON.stringify(s.session.data))),
    sessions.map((s) => s.session.version),
    sessions.map((s) => s.session.expiresAt?.toISOString() ?? null),
    now.toISOString(),
  );
}

export function deleteSession(db: Db, lineUserId: string) {
  return db.conversationSession.deleteMany({ where: { lineUserId } });
}
