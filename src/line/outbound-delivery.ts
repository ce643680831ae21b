/**
 * Delivers a user's outbox, oldest first: links the rich menu a flow chose, then sends the
 * messages by reply while the token is fresh, else by push with the row id as
 * X-Line-Retry-Key (a retried push is never shown twice), and never pushes a row whose reply
 * may have landed (see sendByReply). A transient failure stops the
 * user's queue there (later messages must not overtake it) and throws, for the retry job;
 * a permanent one marks that row failed and moves on. Call it holding the user's lock.
 */
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { claimOldestUndelivered, markOutboundFailed, markOutboundSent, releaseOutbound, releaseUntried, type ClaimedOutbound, type DeliveryRecord } from '../db/repositories/outbound-message.repository.js';
import { LineApiError, type LineGateway, type LineMessage } from './line-gateway.js';
import { UserLockLost, type HeldLock } from '../db/user-lock.js';

/**
 * A SENDING claim older than this may belong to a deliverer that died: the sweep re-drives
 * its user soon, while the reply token can still prove whether the reply landed. Re-driving
 * a live claim costs nothing: the delivery job waits for the user's lock and finds it done.
 */
export const CLAIM_STALE_AFTER_MS = 10_000;
const RICH_MENU_ID_CACHE_MS = 60_000;

/** A reply that may have landed and is not proven yet: retried later with the same token, never pushed. */
export class ReplyNotProven extends Error {
  constructor(outboundId: string, cause?: unknown) {
    super(`reply of outbound ${outboundId} may have been delivered; waiting to prove it with the same token`, { cause });
    this.name = 'ReplyNotProven';
  }
}

export interface OutboundDelivery {
  /**
   * Delivers every undelivered row of the user in order; returns how many were sent. `lock` is
   * the user's lock, checked before each claim and each send: a deliverer that lost it stops.
   */
  deliverPendingOf(lineUserId: string, lock: HeldLock): Promise<number>;
  /**
   * Delivers rows of one user that the caller's committed transaction wrote already claimed
   * (SENDING), in order, without claiming them again. Each delivery is handed to `record`
   * (the caller writes a batch's records in one statement; until then a row stays SENDING,
   * which after a crash makes it reply-uncertain: never pushed, settled by its token). If a
   * row stalls, the rows after it, never tried, go back to PENDING and this throws.
   */
  deliverClaimed(rows: ClaimedOutbound[], lock: HeldLock, record: (delivery: DeliveryRecord) => void): Promise<number>;
}

type RecordDelivery = (delivery: DeliveryRecord) => void | Promise<void>;

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
   * Sends by reply while the token is fresh, under one rule: a row whose reply may have
   * reached the user is never pushed. A reply "may have landed" when LINE gave no clear answer
   * (5xx, timeout, connection lost) or the deliverer died holding the claim. Such a row is
   * settled only by its own token: retried while fresh, a 2xx delivers it now and a 400 proves
   * the earlier attempt spent it (delivered, once). If the token expires unproven, the row is
   * recorded as 'reply-unconfirmed' and not pushed: a citizen seeing a message twice is worse
   * than one late or, rarely, missing. A clear refusal (400 on the first use, 429) with no
   * earlier unclear attempt delivered nothing, so a push (retry key = row id) follows.
   */
  async function sendByReply(row: ClaimedOutbound, messages: LineMessage[], lock: HeldLock, record: RecordDelivery): Promise<'sent' | 'push'> {
    if (!row.replyToken) return 'push';
    if (!row.replyBefore || row.replyBefore.getTime() <= now().getTime()) {
      if (!row.replyUncertain) return 'push';
      log.warn({ outboundId: row.id }, 'reply token expired before its delivery could be proven: not pushed, recorded as reply-unconfirmed');
      await record({ id: row.id, via: 'reply-unconfirmed', now: now() });
      return 'sent';
    }
    for (let attempt = 1; attempt <= 2; attempt++) {
      lock.assertHeld();
      const uncertainBefore = row.replyUncertain;
      // From the moment the request leaves until a clear refusal, this reply may have landed:
      // whatever fails next (even recording the success) releases the row as uncertain.
      row.replyUncertain = true;
      let requestId: string | undefined;
      try {
        ({ requestId } = await line.reply(row.replyToken, messages));
      } catch (err) {
        const status = err instanceof LineApiError ? err.status : 0;
        if (status === 400 && uncertainBefore) {
          log.info({ outboundId: row.id }, 'reply token spent by an earlier unanswered attempt: counted as delivered');
          await record({ id: row.id, via: 'reply', now: now() });
          return 'sent';
        }
        if (status === 0 || status >= 500) {
          log.info({ outboundId: row.id, status }, 'reply got no clear answer; it may have landed, so only the same token may follow');
          continue;
        }
        // A clear refusal: this request delivered nothing. (A 400 here is also what a second
        // deliverer sees if it raced us on a lost lock: the lock check before the push stops it.)
        row.replyUncertain = uncertainBefore;
        if (!uncertainBefore) return 'push';
        throw new ReplyNotProven(row.id, err);
      }
      await record({ id: row.id, via: 'reply', ...(requestId ? { lineRequestId: requestId } : {}), now: now() });
      return 'sent';
    }
    throw new ReplyNotProven(row.id);
  }

  async function deliverRow(row: ClaimedOutbound, lock: HeldLock, record: RecordDelivery): Promise<'sent' | 'failed'> {
    let pushAttempted = false;
    try {
      if (row.richMenu) {
        const menuId = await richMenuId(row.richMenu);
        if (menuId) await line.linkRichMenu(row.lineUserId, menuId);
        else log.warn({ richMenu: row.richMenu }, 'rich menu alias not set up; run npm run richmenu:setup');
      }
      const messages = row.messages as LineMessage[];
      if (messages.length === 0) {
        await record({ id: row.id, via: 'none', now: now() });
        return 'sent';
      }
      if ((await sendByReply(row, messages, lock, record)) === 'sent') return 'sent';
      lock.assertHeld();
      pushAttempted = true;
      const { requestId, alreadyAccepted } = await line.push(row.lineUserId, messages, row.id);
      await record({ id: row.id, via: 'push', ...(requestId ? { lineRequestId: requestId } : {}), now: now() });
      if (alreadyAccepted) log.info({ outboundId: row.id }, 'push already accepted earlier (409)');
      return 'sent';
    } catch (err) {
      const reason = err instanceof Error ? err.message.slice(0, 500) : String(err);
      if (err instanceof LineApiError && !err.retryable && !row.replyUncertain) {
        await markOutboundFailed(db, row.id, reason);
        log.error({ outboundId: row.id, status: err.status, requestId: err.requestId }, 'outbound message rejected by LINE');
        return 'failed';
      }
      // Back for a retry: marked uncertain if a reply with its token may have landed, and
      // push-only once a push was tried (a reply after a push that landed would be a copy).
      await releaseOutbound(db, row.id, reason, { replyUncertain: row.replyUncertain, pushAttempted, now: now() });
      throw err;
    }
  }

  /** Rows claimed one at a time are recorded one at a time, before the next claim. */
  const recordNow: RecordDelivery = ({ id, ...result }) => markOutboundSent(db, id, result);

  return {
    async deliverPendingOf(lineUserId, lock) {
      let sent = 0;
      for (;;) {
        lock.assertHeld();
        const row = await claimOldestUndelivered(db, lineUserId);
        if (!row) return sent;
        if ((await deliverRow(row, lock, recordNow)) === 'sent') sent++;
      }
    },
    async deliverClaimed(rows, lock, record) {
      let sent = 0;
      for (const [i, row] of rows.entries()) {
        try {
          lock.assertHeld();
          if ((await deliverRow(row, lock, record)) === 'sent') sent++;
        } catch (err) {
          // The row itself was released by deliverRow (or, on a lost lock, is left to the next
          // holder); the ones after it were never tried.
          if (!(err instanceof UserLockLost)) await releaseUntried(db, rows.slice(i + 1).map((r) => r.id));
          throw err;
        }
      }
      return sent;
    },
  };
}
