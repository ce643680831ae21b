/** The outbox: messages saved with the state change that caused them, then delivered. */
import type { Db, PrismaClient } from '../client.js';
import { statementsOn, type Statement } from '../statements.js';

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

export interface DeliveryRecord {
  id: string;
  via: OutboundVia;
  lineRequestId?: string;
  now: Date;
}

/**
 * Records a delivery and drops the message content: messages hold personal data (names,
 * export links) that LINE now has; we keep only the outcome (via, LINE's request id, time).
 */
export async function markOutboundSent(db: Db | PrismaClient, id: string, result: Omit<DeliveryRecord, 'id'>): Promise<void> {
  await markOutboundSentMany(db, [{ id, ...result }]);
}

/** markOutboundSent for a batch of deliveries: one prepared statement on the root client's pool. */
export async function markOutboundSentMany(db: Db | PrismaClient, records: DeliveryRecord[]): Promise<void> {
  if (records.length === 0) return;
  await statementsOn(db).run(MARK_SENT, [
    records.map((r) => r.id), records.map((r) => r.via), records.map((r) => r.lineRequestId ?? null), records.map((r) => r.now.toISOString()),
  ]);
}

const MARK_SENT: Statement = {
  name: 'outbound-mark-sent',
  text: `UPDATE outbound_message o SET status = 'SENT', via = r.via, line_request_id = r.request_id, sent_at = r.at, error = NULL, messages = '[]'::jsonb
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS r(id, via, request_id, at)
          WHERE o.id = r.id`,
};

/**
 * Gives rows claimed at commit but never tried back to PENDING (an earlier answer of the user
 * stalled): nothing of them reached LINE, so they are not reply-uncertain.
 */
export async function releaseUntried(db: Db | PrismaClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await statementsOn(db).run(RELEASE_UNTRIED, [ids]);
}

const RELEASE_UNTRIED: Statement = {
  name: 'outbound-release-untried',
  text: `UPDATE outbound_message SET status = 'PENDING', claimed_at = NULL, attempts = attempts - 1 WHERE id = ANY($1::uuid[]) AND status = 'SENDING'`,
};

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
