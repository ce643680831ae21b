/**
 * Delivers a user's outbox, oldest first: links the rich menu a flow chose, then sends the
 * messages by reply while the token is fresh, else by push with the row id as
 * X-Line-Retry-Key (a retried push is never shown twice). A transient failure stops the
 * user's queue there (later messages must not overtake it) and throws, for the retry job;
 * a permanent one marks that row failed and moves on. Call it holding the user's lock.
 */
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { claimOldestUndelivered, markOutboundFailed, markOutboundSent, releaseOutbound, type ClaimedOutbound } from '../db/repositories/outbound-message.repository.js';
import { LineApiError, type LineGateway, type LineMessage } from './line-gateway.js';

/** A SENDING claim older than this belongs to a deliverer that died (see maintenance sweep). */
export const CLAIM_STALE_AFTER_MS = 120_000;
const RICH_MENU_ID_CACHE_MS = 60_000;

export interface OutboundDelivery {
  /** Delivers every undelivered row of the user in order; returns how many were sent. */
  deliverPendingOf(lineUserId: string): Promise<number>;
}

export function createOutboundDelivery(deps: {
  db: Db;
  line: LineGateway;
  log: Logger;
  /** Rich-menu key ('guest' | 'member') → alias id on the LINE side. */
  richMenuAliases: Record<string, string>;
  now?: () => Date;
}): OutboundDelivery {
  const { db, line, log } = deps;
  const now = deps.now ?? (() => new Date());
  // richmenu:setup replaces a changed menu and moves its alias, so ids are cached briefly only.
  const menuIds = new Map<string, { id: string; until: number }>();

  async function richMenuId(key: string): Promise<string | null> {
    const cached = menuIds.get(key);
    if (cached && cached.until > Date.now()) return cached.id;
    const alias = deps.richMenuAliases[key];
    const id = alias ? await line.richMenuIdForAlias(alias) : null;
    if (id) menuIds.set(key, { id, until: Date.now() + RICH_MENU_ID_CACHE_MS });
    return id;
  }

  /**
   * Sends by reply while the token is fresh. A reply that failed without an answer (5xx,
   * network) is tried once more with the same token: if LINE had accepted the first, the
   * token is spent and LINE says 400, so we know it was delivered and do not push a copy.
   */
  async function sendByReply(row: ClaimedOutbound, messages: LineMessage[]): Promise<'sent' | 'push'> {
    if (!row.replyToken || !row.replyBefore || row.replyBefore.getTime() <= now().getTime() || row.attempts > 1) return 'push';
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const { requestId } = await line.reply(row.replyToken, messages);
        await markOutboundSent(db, row.id, { via: 'reply', lineRequestId: requestId, now: now() });
        return 'sent';
      } catch (err) {
        const status = err instanceof LineApiError ? err.status : 0;
        if (attempt === 2 && status === 400) {
          log.info({ outboundId: row.id }, 'reply token spent by the first, unanswered attempt: counted as delivered');
          await markOutboundSent(db, row.id, { via: 'reply', now: now() });
          return 'sent';
        }
        if (status !== 0 && status < 500) break; // used or expired token (400), or throttled: push instead
        log.info({ outboundId: row.id, status }, 'reply got no clear answer; trying the same token once more');
      }
    }
    return 'push';
  }

  async function deliverRow(row: ClaimedOutbound): Promise<'sent' | 'failed'> {
    try {
      if (row.richMenu) {
        const menuId = await richMenuId(row.richMenu);
        if (menuId) await line.linkRichMenu(row.lineUserId, menuId);
        else log.warn({ richMenu: row.richMenu }, 'rich menu alias not set up; run npm run richmenu:setup');
      }
      const messages = row.messages as LineMessage[];
      if (messages.length === 0) {
        await markOutboundSent(db, row.id, { via: 'none', now: now() });
        return 'sent';
      }
      if ((await sendByReply(row, messages)) === 'sent') return 'sent';
      const { requestId, alreadyAccepted } = await line.push(row.lineUserId, messages, row.id);
      await markOutboundSent(db, row.id, { via: 'push', lineRequestId: requestId, now: now() });
      if (alreadyAccepted) log.info({ outboundId: row.id }, 'push already accepted earlier (409)');
      return 'sent';
    } catch (err) {
      const reason = err instanceof Error ? err.message.slice(0, 500) : String(err);
      if (err instanceof LineApiError && !err.retryable) {
        await markOutboundFailed(db, row.id, reason);
        log.error({ outboundId: row.id, status: err.status, requestId: err.requestId }, 'outbound message rejected by LINE');
        return 'failed';
      }
      await releaseOutbound(db, row.id, reason);
      throw err;
    }
  }

  return {
    async deliverPendingOf(lineUserId) {
      let sent = 0;
      for (let row = await claimOldestUndelivered(db, lineUserId); row; row = await claimOldestUndelivered(db, lineUserId)) {
        if ((await deliverRow(row)) === 'sent') sent++;
      }
      return sent;
    },
  };
}
