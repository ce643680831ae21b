/**
 * Handling stored webhook events, a batch of users at a time (booking day's hot path):
 *
 * 1. Lock: the users' advisory locks in one round trip (tryUserLocks; a user another worker
 *    holds is left to it: the caller queues a drain that waits for them). Then, on the lock's
 *    own connection, plain reads: the users' pending events in arrival order, and their
 *    locale, conversation state and whether older answers still wait (loadConversations).
 * 2. Decide: ONE transaction handles every event of every user in the round, each user's in
 *    order, the conversation state carried in memory from one event to the next; then the
 *    states, the outbox rows (already claimed for delivery) and the "processed" marks are
 *    written in one statement each, and all of it commits together with the flows' own writes.
 *    If one event fails (a bug, bad data), the round rolls back and runs again one event per
 *    transaction, so only that event is answered "something went wrong"; the others keep
 *    their real answers. A database outage is not an event's fault: it is rethrown and the
 *    job retries it later.
 * 3. Deliver: the rows just committed, each user's in order and users in parallel, by reply
 *    while the token is fresh (outbound-delivery.ts keeps its rules); the deliveries are
 *    recorded in one statement. Then the locks go, with one statement.
 *
 * Measured (docs/SCALING.md): a round of n events costs about 8 statements plus what the flows
 * query, where the one-event-at-a-time drain cost ~16 statements and 3 commits per event.
 */
import { randomUUID } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';
import type { Db, PrismaClient } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import { EventAlreadyProcessed, readRound, writeRound, type Conversation, type NewOutboundMessage, type PendingEvent } from '../db/repositories/conversation-round.repository.js';
import { updateLineUser } from '../db/repositories/line-user.repository.js';
import { markOutboundSentMany, type ClaimedOutbound, type DeliveryRecord } from '../db/repositories/outbound-message.repository.js';
import { isLocale, translator, type Locale } from '../i18n/index.js';
import { textMessage } from '../line/message-builders.js';
import type { BotEngine, SessionState } from '../bot/engine.js';
import type { OutboundDelivery } from '../line/outbound-delivery.js';
import { UserLockLost, type HeldLock, type UserLocks } from '../db/user-lock.js';
import { isTransientDatabaseError, sqlStateOf } from '../db/errors.js';
import { transactionWithConnection } from '../db/transaction-connection.js';

/** LINE allows 5 messages per reply or push. */
const MESSAGES_PER_REQUEST = 5;
/**
 * Events per transaction: enough to share the fixed costs widely, few enough that the first
 * user of a round is answered well within the reply token's life.
 */
const EVENTS_PER_ROUND = 200;
const TRANSACTION_LIMITS = { timeout: 30_000, maxWait: 15_000 };
/** SQLSTATE of a lock wait that gave up (lock_timeout): see autonomousPoolOf. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * A failure that is not the event's: the database's state (a restart, a failover, a lost
 * connection), the user's lock lost, or another worker that handled the event first. The job
 * retries the round as it is, later, and the user gets the real answer.
 */
function notTheEventsFault(err: unknown): boolean {
  return isTransientDatabaseError(err) || err instanceof EventAlreadyProcessed || err instanceof UserLockLost;
}

export interface DrainResult {
  handled: number;
  /** Users whose lock another worker held: their events are left to a drain that waits (the caller queues it). */
  busy: string[];
}

export function createEventDrainer(deps: {
  db: PrismaClient;
  engine: BotEngine;
  cipher: PersonalDataCipher;
  delivery: OutboundDelivery;
  locks: UserLocks;
  /** Retries a user's stalled outbox later (BullMQ job with backoff). */
  scheduleDeliveryRetry: (lineUserId: string) => Promise<void>;
  replyTokenTtlSeconds: number;
  log: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const { db, log } = deps;

  /** One event as handled: what it changed and what it answers. */
  interface Handled {
    event: PendingEvent;
    outbox: NewOutboundMessage[];
  }

  interface RoundOutcome {
    handled: Handled[];
    conversations: Map<string, Conversation>;
  }

  /**
   * Handles `events` (each user's in order) in the transaction `tx` and writes their states,
   * outbox rows and processed marks. `conversations` is not changed: the caller keeps the
   * returned copy only once the transaction committed.
   */
  async function handleInTransaction(tx: Db, events: PendingEvent[], start: Map<string, Conversation>, at: Date, lock: HeldLock): Promise<RoundOutcome> {
    const conversations = new Map([...start].map(([id, c]) => [id, { ...c }]));
    const handled: Handled[] = [];
    const touched = new Set<string>();
    for (const stored of events) {
      lock.assertHeld();
      const event = JSON.parse(deps.cipher.decrypt(stored.payload ?? '')) as webhook.Event;
      const conversation = event.source?.type === 'user' ? conversations.get(stored.sourceKey) : undefined;
      if (!conversation) {
        // Groups and rooms: stored and marked, not answered.
        handled.push({ event: stored, outbox: [] });
        continue;
      }
      const locale: Locale = isLocale(conversation.locale) ? conversation.locale : 'th';
      const result = await deps.engine.handle({
        db: tx, lineUserId: stored.sourceKey, locale, session: conversation.session, event, now: at,
        ...(conversation.registration ? { registration: conversation.registration } : {}),
      });
      // What the round read holds until an event runs a flow (which may register people).
      if (result.registration) conversation.registration = result.registration;
      else delete conversation.registration;
      if (result.locale !== locale || result.following !== undefined || result.richMenu) {
        await updateLineUser(tx, stored.sourceKey, {
          now: at,
          ...(result.locale !== locale ? { locale: result.locale } : {}),
          ...(result.following !== undefined ? { following: result.following } : {}),
          ...(result.richMenu ? { richMenu: result.richMenu } : {}),
        });
      }
      conversation.locale = result.locale;
      if (!sameSession(conversation.session, result.session)) touched.add(stored.sourceKey);
      conversation.session = result.session;
      const replyToken = 'replyToken' in event ? event.replyToken : undefined;
      handled.push({ event: stored, outbox: outboxRows(conversation, result.messages, result.richMenu, replyToken, replyDeadline(event)) });
    }
    await writeRound(tx, {
      sessions: [...touched].map((id) => ({ lineUserId: id, session: conversations.get(id)!.session })),
      outbox: handled.flatMap((h) => h.outbox),
      processed: handled.map((h) => h.event.webhookEventId),
      now: at,
    });
    return { handled, conversations };
  }

  /** The answer to an event that failed: "something went wrong", with the event marked (and its error kept). */
  async function recordFailure(stored: PendingEvent, conversation: Conversation | undefined, err: unknown, at: Date): Promise<Handled> {
    const reason = err instanceof Error ? err.message.slice(0, 500) : 'unknown error';
    const answers = conversation && (stored.type === 'message' || stored.type === 'postback' || stored.type === 'follow');
    const t = translator(conversation && isLocale(conversation.locale) ? conversation.locale : 'th');
    const outbox = answers ? outboxRows(conversation, [textMessage(t('error.generic'))], undefined, undefined, undefined) : [];
    await transactionWithConnection(db, (tx) => writeRound(tx, { sessions: [], outbox, processed: [stored.webhookEventId], error: reason, now: at }));
    return { event: stored, outbox };
  }

  /**
   * Decides a round: all in one transaction, or, if one event fails, one event per
   * transaction. What committed is returned even when a later event meets a failure that is
   * not its own (`failure`): the caller delivers it first, while its reply tokens are fresh,
   * then rethrows for the job to retry the rest.
   */
  async function decide(events: PendingEvent[], conversations: Map<string, Conversation>, lock: HeldLock): Promise<{ handled: Handled[]; failure?: unknown }> {
    if (events.length > 1) {
      try {
        return { handled: (await transactionWithConnection(db, (tx) => handleInTransaction(tx, events, conversations, now(), lock), TRANSACTION_LIMITS)).handled };
      } catch (err) {
        if (notTheEventsFault(err)) throw err;
        log.warn({ err: err instanceof Error ? err.message : String(err), events: events.length }, 'an event of the round failed: handling its events one at a time');
      }
    }
    // One event per transaction, in order, each starting from the state the last one committed.
    const handled: Handled[] = [];
    let current = conversations;
    for (const stored of events) {
      const at = now();
      try {
        const outcome = await transactionWithConnection(db, (tx) => handleInTransaction(tx, [stored], current, at, lock), TRANSACTION_LIMITS);
        current = outcome.conversations;
        handled.push(...outcome.handled);
      } catch (err) {
        // Alone in its transaction, a booking that waited for a slot's row another round
        // holds (55P03) is not this event's fault either: retried later, not refused.
        if (notTheEventsFault(err) || sqlStateOf(err) === LOCK_NOT_AVAILABLE) return { handled, failure: err };
        // Error boundary of one event: record it and tell the user, so one bad event never
        // blocks the ones after it. If even this fails (database down), the job retries.
        log.error({ err, sourceKey: stored.sourceKey }, 'event handling failed');
        try {
          handled.push(await recordFailure(stored, current.get(stored.sourceKey), err, at));
        } catch (recordErr) {
          return { handled, failure: recordErr };
        }
      }
    }
    return { handled };
  }

  function outboxRows(conversation: Conversation, messages: unknown[], richMenu: string | undefined, replyToken: string | undefined, replyBefore: Date | undefined): NewOutboundMessage[] {
    if (messages.length === 0 && !richMenu) return [];
    const chunks: unknown[][] = [];
    for (let i = 0; i < messages.length; i += MESSAGES_PER_REQUEST) chunks.push(messages.slice(i, i + MESSAGES_PER_REQUEST));
    if (chunks.length === 0) chunks.push([]);
    return chunks.map((chunk, i) => ({
      id: randomUUID(),
      lineUserId: conversation.lineUserId,
      messages: chunk,
      // Older answers still waiting go first: these queue behind them, unclaimed.
      claimed: !conversation.hasUndelivered,
      // Only the first chunk may use the reply token (it is single use); the rest are pushed.
      ...(i === 0 && replyToken && replyBefore ? { replyToken, replyBefore } : {}),
      ...(i === 0 && richMenu ? { richMenu } : {}),
    }));
  }

  function replyDeadline(event: webhook.Event): Date {
    return new Date(event.timestamp + deps.replyTokenTtlSeconds * 1000);
  }

  /**
   * Delivers what the round committed, each user's answers in order, users in parallel; the
   * deliveries are recorded together. A user whose delivery stalls gets a retry job.
   */
  async function deliver(handled: Handled[], conversations: Map<string, Conversation>, lock: HeldLock): Promise<void> {
    const byUser = new Map<string, NewOutboundMessage[]>();
    for (const row of handled.flatMap((h) => h.outbox)) {
      const rows = byUser.get(row.lineUserId) ?? [];
      rows.push(row);
      byUser.set(row.lineUserId, rows);
    }
    const records: DeliveryRecord[] = [];
    // Every user's delivery runs to its end before the round records and unlocks: a lock
    // released while another user's reply is still in flight could let a newer answer overtake it.
    const outcomes = await Promise.allSettled(
      [...byUser].map(async ([lineUserId, rows]) => {
        try {
          if (conversations.get(lineUserId)?.hasUndelivered) await deps.delivery.deliverPendingOf(lineUserId, lock);
          else await deps.delivery.deliverClaimed(rows.map(asClaimed), lock, (r) => records.push(r));
        } catch (err) {
          if (err instanceof UserLockLost) throw err;
          log.warn({ err, lineUserId }, "delivery failed; the user's outbox will be retried in order");
          // If Redis is down too, the maintenance sweep finds the row (pending or a stale claim).
          await deps.scheduleDeliveryRetry(lineUserId).catch((retryErr: unknown) => log.warn({ err: retryErr, lineUserId }, 'could not schedule the delivery retry; the sweep will'));
        }
      }),
    );
    await markOutboundSentMany(db, records);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (lost) throw lost.reason;
  }

  /** Rounds until the held users have no pending events left. */
  async function drainHeld(held: string[], lock: HeldLock): Promise<number> {
    let count = 0;
    for (;;) {
      lock.assertHeld();
      const { events, conversations } = await readRound(lock, held, EVENTS_PER_ROUND);
      if (events.length === 0) return count;
      lock.assertHeld();
      const { handled, failure } = await decide(events, conversations, lock);
      count += handled.length;
      await deliver(handled, conversations, lock);
      if (failure) throw failure;
      if (events.length < EVENTS_PER_ROUND) return count;
    }
  }

  return {
    /** Handles the pending events of these users, leaving those another worker is draining. */
    async drainUsers(sourceKeys: string[]): Promise<DrainResult> {
      return deps.locks.tryUserLocks(sourceKeys, async (held, lock) => {
        const mine = new Set(held);
        const busy = sourceKeys.filter((k) => !mine.has(k));
        return { handled: held.length > 0 ? await drainHeld(held, lock) : 0, busy };
      });
    },
    /** Waits for one user's lock, then handles their pending events (sweeps, users left busy). */
    async drain(sourceKey: string): Promise<number> {
      return deps.locks.withUserLock(sourceKey, (lock) => drainHeld([sourceKey], lock));
    },
  };
}

export type EventDrainer = ReturnType<typeof createEventDrainer>;

/** The claim that the committing transaction made, as the deliverer sees it. */
function asClaimed(row: NewOutboundMessage): ClaimedOutbound {
  return {
    id: row.id,
    lineUserId: row.lineUserId,
    replyToken: row.replyToken ?? null,
    replyBefore: row.replyBefore ?? null,
    messages: row.messages,
    richMenu: row.richMenu ?? null,
    attempts: 1,
    replyUncertain: false,
  };
}

function sameSession(a: SessionState, b: SessionState): boolean {
  return a.flowId === b.flowId && a.step === b.step && a.version === b.version
    && a.expiresAt?.getTime() === b.expiresAt?.getTime() && JSON.stringify(a.data) === JSON.stringify(b.data);
}
