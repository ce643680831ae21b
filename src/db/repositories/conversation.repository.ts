/** Conversation state rows, one per LINE user. */
import type { Db } from '../client.js';
import { emptySession, type SessionState } from '../../bot/engine.js';
import { Prisma } from '../client.js';

/**
 * The user's conversation state (empty when none is stored). Read and written only under the
 * user's lock (src/db/user-lock.ts), which is what keeps one user's events in order.
 */
export async function loadSession(db: Db, lineUserId: string): Promise<SessionState> {
  const row = await db.conversationSession.findUnique({ where: { lineUserId } });
  if (!row) return emptySession;
  return { flowId: row.flowId, step: row.step, data: row.data, version: row.version, expiresAt: row.expiresAt };
}

export async function saveSession(db: Db, lineUserId: string, state: SessionState): Promise<void> {
  const fields = {
    flowId: state.flowId,
    step: state.step,
    data: state.data === null || state.data === undefined ? Prisma.DbNull : (state.data as Prisma.InputJsonValue),
    version: state.version,
    expiresAt: state.expiresAt,
  };
  await db.conversationSession.upsert({ where: { lineUserId }, create: { lineUserId, ...fields }, update: fields });
}

export function deleteSession(db: Db, lineUserId: string) {
  return db.conversationSession.deleteMany({ where: { lineUserId } });
}
