/**
 * Delivers an outbox row: links the rich menu the flow chose, then sends the messages by
 * reply while the token is fresh, else by push with the row id as X-Line-Retry-Key (so a
 * retried push is never shown twice). Transient failures leave the row pending and throw,
 * for the retry job; permanent ones mark it failed.
 */
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { claimOutbound, markOutboundFailed, markOutboundSent, releaseOutbound } from '../db/repositories/outbound-message.repository.js';
import { LineApiError, type LineGateway, type LineMessage } from './line-gateway.js';

/** A SENDING claim older than this is considered abandoned by a crashed deliverer. */
export const CLAIM_STALE_AFTER_MS = 120_000;
const RICH_MENU_ID_CACHE_MS = 60_000;

export interface OutboundDelivery {
  deliver(id: string): Promise<'sent' | 'failed' | 'skipped'>;
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

  return {
    async deliver(id) {
      const row = await claimOutbound(db, id, CLAIM_STALE_AFTER_MS);
      if (!row) return 'skipped';
      try {
        if (row.richMenu) {
          const menuId = await richMenuId(row.richMenu);
          if (menuId) await line.linkRichMenu(row.lineUserId, menuId);
          else log.warn({ richMenu: row.richMenu }, 'rich menu alias not set up; run npm run richmenu:setup');
        }
        const messages = row.messages as LineMessage[];
        if (messages.length === 0) {
          await markOutboundSent(db, id, { via: 'none', now: now() });
          return 'sent';
        }
        if (row.replyToken && row.replyBefore && row.replyBefore.getTime() > now().getTime() && row.attempts === 1) {
          try {
            const { requestId } = await line.reply(row.replyToken, messages);
            await markOutboundSent(db, id, { via: 'reply', lineRequestId: requestId, now: now() });
            return 'sent';
          } catch (err) {
            // Token used or expired (400), or LINE failed: the push below reaches the user anyway.
            log.info({ outboundId: id, status: err instanceof LineApiError ? err.status : undefined }, 'reply failed; pushing instead');
          }
        }
        const { requestId, alreadyAccepted } = await line.push(row.lineUserId, messages, id);
        await markOutboundSent(db, id, { via: 'push', lineRequestId: requestId, now: now() });
        if (alreadyAccepted) log.info({ outboundId: id }, 'push already accepted earlier (409)');
        return 'sent';
      } catch (err) {
        const reason = err instanceof Error ? err.message.slice(0, 500) : String(err);
        if (err instanceof LineApiError && !err.retryable) {
          await markOutboundFailed(db, id, reason);
          log.error({ outboundId: id, status: err.status, requestId: err.requestId }, 'outbound message rejected by LINE');
          return 'failed';
        }
        await releaseOutbound(db, id, reason);
        throw err;
      }
    },
  };
}
