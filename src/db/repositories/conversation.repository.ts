/** Conversation state rows, one per LINE user (a chat round reads and writes them with its own statements: conversation-round.repository.ts). */
import type { Db } from '../client.js';

export function deleteSession(db: Db, lineUserId: string) {
  return db.conversationSession.deleteMany({ where: { lineUserId } });
}
