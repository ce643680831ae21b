/** Conversation state rows; the row lock orders one user's events. */
import type { Db } from '../client.js';
import type { SessionState } from '../../bot/engine.js';
import { Prisma } from '../client.js';

/**
 * Locks the user's session row for the rest of the transaction (creating it if needed) and
 * returns the state. Another worker handling the same user waits here: that is what keeps
 * one user's events in order while different users run in parallel.
 */
export async function lockSession(db: Db, lineUserId: string): Promise<SessionState> {
  // One round trip: the no-op DO UPDATE both creates the row if needed and takes its row lock.
  const rows = await db.$queryRaw<Array<{ flow_id: string | null; step: string | null; data: unknown; version: number; expires_at: Date | null }>>`
    INSERT INTO conversation_session (line_user_id, version, updated_at) VALUES (${lineUserId}, 0, now())
    ON CONFLICT (line_user_id) DO UPDATE SET line_user_id = EXCLUDED.line_user_id
    RETURNING flow_id, step, data, version, expires_at`;
  const row = rows[0];
  if (!row) throw new Error('session upsert returned no row');
  return { flowId: row.flow_id, step: row.step, data: row.data, version: row.version, expiresAt: row.expires_at };
}

export async function saveSession(db: Db, lineUserId: string, state: SessionState): Promise<void> {
  await db.conversationSession.update({
    where: { lineUserId },
    data: {
      flowId: state.flowId,
      step: state.step,
      data: state.data === null || state.data === undefined ? Prisma.DbNull : (state.data as Prisma.InputJsonValue),
      version: state.version,
      expiresAt: state.expiresAt,
    },
  });
}

export function deleteSession(db: Db, lineUserId: string) {
  return db.conversationSession.deleteMany({ where: { lineUserId } });
}
