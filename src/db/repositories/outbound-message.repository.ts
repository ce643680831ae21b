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
  /** A reply with this row's token may already have reached the user: never push it. */
  replyUncertain: boolean;
}

/**
 * Claims the user's oldest undelivered row (pending, or claimed by a deliverer that died).
 * Call it holding the user's delivery lock (withUserLock): one deliverer per user, so the
 * user sees messages in the order they were decided. Under that lock a row still SENDING was
 * claimed by a deliverer that died, perhaps after LINE accepted its reply: such a row with a
 * reply token becomes reply-uncertain (SET reads the row's values from before the update).
 */
export async function claimOldestUndelivered(db: Db, lineUserId: string): Promise<ClaimedOutbound | null> {
  const rows = await db.$queryRaw<Array<{ id: string; line_user_id: string; reply_token: string | null; reply_before: Date | null; messages: unknown; rich_menu: string | null; attempts: number; reply_uncertain: boolean }>>`
    UPDATE outbound_message SET status = 'SENDING', claimed_at = now(), attempts = attempts + 1,
      reply_uncertain = reply_uncertain OR (status = 'SENDING' AND reply_token IS NOT NULL)
    WHERE id = (
      SELECT id FROM outbound_message
      WHERE line_user_id = ${lineUserId} AND status IN ('PENDING', 'SENDING')
      ORDER BY seq LIMIT 1
    )
    RETURNING id, line_user_id, reply_token, reply_before, messages, rich_menu, attempts, reply_uncertain`;
  const r = rows[0];
  return r
    ? { id: r.id, lineUserId: r.line_user_id, replyToken: r.reply_token, replyBefore: r.reply_before, messages: r.messages, richMenu: r.rich_menu, attempts: r.attempts, replyUncertain: r.reply_uncertain }
    : null;
}

/**
 * Records a delivery and drops the message content: messages hold personal data (names,
 * export links) that LINE now has; we keep only the outcome (via, LINE's request id, time).
 */
export function markOutboundSent(db: Db, id: string, result: { via: OutboundVia; lineRequestId?: string; now: Date }) {
  return db.outboundMessage.update({
    where: { id },
    data: { status: 'SENT', via: result.via, lineRequestId: result.lineRequestId ?? null, sentAt: result.now, error: null, messages: [] },
  });
}

/** Erasure: every outbox row of the user goes, including failed ones that kept their content. */
export function deleteOutboundMessagesOf(db: Db, lineUserId: string) {
  return db.outboundMessage.deleteMany({ where: { lineUserId } });
}

/**
 * How a row reached LINE: 'reply-unconfirmed' is a reply that may have reached the user but
 * could not be proven before its token expired; it is never pushed (a duplicate is worse
 * than a late message), and counted for operators.
 */
export type OutboundVia = 'reply' | 'push' | 'none' | 'reply-unconfirmed';

/**
 * Gives a row back for a later retry (transient failure), keeping the reason.
 * - `replyUncertain`: a reply with its token got no clear answer (it may have been delivered);
 * - `pushAttempted`: a push may have been delivered, so the reply token is given up for good
 *   (its deadline set to now): only the push, with the same retry key, may follow.
 */
export function releaseOutbound(db: Db, id: string, error: string, after: { replyUncertain: boolean; pushAttempted: boolean; now: Date }) {
  return db.outboundMessage.update({
    where: { id },
    data: { status: 'PENDING', claimedAt: null, error, ...(after.replyUncertain ? { replyUncertain: true } : {}), ...(after.pushAttempted ? { replyBefore: after.now } : {}) },
  });
}

export function markOutboundFailed(db: Db, id: string, error: string) {
  return db.outboundMessage.update({ where: { id }, data: { status: 'FAILED', error } });
}

/** Users with rows nobody is delivering: pending for a while, or claimed by a deliverer that may have died. */
export async function usersWithStuckOutbound(db: Db, before: { pendingBefore: Date; claimedBefore: Date }, limit = 1000): Promise<string[]> {
  const rows = await db.outboundMessage.findMany({
    where: {
      OR: [
        { status: 'PENDING', createdAt: { lt: before.pendingBefore } },
        { status: 'SENDING', claimedAt: { lt: before.claimedBefore } },
      ],
    },
    select: { lineUserId: true },
    distinct: ['lineUserId'],
    take: limit,
  });
  return rows.map((r) => r.lineUserId);
}
