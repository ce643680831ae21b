/** The outbox: messages saved with the state change that caused them, then delivered. */
import type { Db } from '../client.js';
import type { Prisma } from '../client.js';

export interface NewOutboundMessage {
  lineUserId: string;
  messages: unknown[];
  replyToken?: string;
  replyBefore?: Date;
  richMenu?: string;
}

export async function insertOutboundMessages(db: Db, rows: NewOutboundMessage[]): Promise<string[]> {
  const created = await db.outboundMessage.createManyAndReturn({
    data: rows.map((r) => ({ ...r, messages: r.messages as Prisma.InputJsonValue })),
    select: { id: true },
  });
  return created.map((c) => c.id);
}

export interface ClaimedOutbound {
  id: string;
  lineUserId: string;
  replyToken: string | null;
  replyBefore: Date | null;
  messages: unknown;
  richMenu: string | null;
  attempts: number;
}

/**
 * Claims the user's oldest undelivered row (pending, or claimed by a deliverer that died).
 * Call it holding the user's delivery lock (withUserLock): one deliverer per user, so the
 * user sees messages in the order they were decided.
 */
export async function claimOldestUndelivered(db: Db, lineUserId: string): Promise<ClaimedOutbound | null> {
  const rows = await db.$queryRaw<Array<{ id: string; line_user_id: string; reply_token: string | null; reply_before: Date | null; messages: unknown; rich_menu: string | null; attempts: number }>>`
    UPDATE outbound_message SET status = 'SENDING', claimed_at = now(), attempts = attempts + 1
    WHERE id = (
      SELECT id FROM outbound_message
      WHERE line_user_id = ${lineUserId} AND status IN ('PENDING', 'SENDING')
      ORDER BY seq LIMIT 1
    )
    RETURNING id, line_user_id, reply_token, reply_before, messages, rich_menu, attempts`;
  const r = rows[0];
  return r ? { id: r.id, lineUserId: r.line_user_id, replyToken: r.reply_token, replyBefore: r.reply_before, messages: r.messages, richMenu: r.rich_menu, attempts: r.attempts } : null;
}

/**
 * Records a delivery and drops the message content: messages hold personal data (names,
 * export links) that LINE now has; we keep only the outcome (via, LINE's request id, time).
 */
export function markOutboundSent(db: Db, id: string, result: { via: 'reply' | 'push' | 'none'; lineRequestId?: string; now: Date }) {
  return db.outboundMessage.update({
    where: { id },
    data: { status: 'SENT', via: result.via, lineRequestId: result.lineRequestId ?? null, sentAt: result.now, error: null, messages: [] },
  });
}

/** Erasure: every outbox row of the user goes, including failed ones that kept their content. */
export function deleteOutboundMessagesOf(db: Db, lineUserId: string) {
  return db.outboundMessage.deleteMany({ where: { lineUserId } });
}

/** Gives a row back for a later retry (transient failure), keeping the reason. */
export function releaseOutbound(db: Db, id: string, error: string) {
  return db.outboundMessage.update({ where: { id }, data: { status: 'PENDING', claimedAt: null, error } });
}

export function markOutboundFailed(db: Db, id: string, error: string) {
  return db.outboundMessage.update({ where: { id }, data: { status: 'FAILED', error } });
}

/** Users with rows nobody is delivering: pending for a while, or claimed by a deliverer that died. */
export async function usersWithStuckOutbound(db: Db, olderThan: Date, limit = 1000): Promise<string[]> {
  const rows = await db.outboundMessage.findMany({
    where: {
      OR: [
        { status: 'PENDING', createdAt: { lt: olderThan } },
        { status: 'SENDING', claimedAt: { lt: olderThan } },
      ],
    },
    select: { lineUserId: true },
    distinct: ['lineUserId'],
    take: limit,
  });
  return rows.map((r) => r.lineUserId);
}
