/**
 * In-memory state of the emulated LINE platform: what the bot sent to whom, every API call,
 * reply tokens, retry keys, friendship, profiles and rich menus.
 *
 * Everything is a Map or an append-only array so a request costs O(1) here; the HTTP layer
 * (platform.ts) and the virtual users (client.ts) share one instance.
 */
import type { messagingApi } from '@line/bot-sdk';
import { createMessageIdSequence, newQuoteToken, newReplyToken, newRichMenuId } from './ids.js';

type Message = messagingApi.Message;
type SentMessage = messagingApi.SentMessage;
type RichMenu = messagingApi.RichMenuResponse;

/** How a delivery reached the user. */
export type DeliveryVia = 'reply' | 'push' | 'multicast';

/** One accepted send API call as seen by one recipient. */
export interface Delivery {
  /** Platform clock (ms) when the call was accepted. */
  at: number;
  via: DeliveryVia;
  messages: Message[];
  /** IDs LINE assigned to the messages, in order. */
  sentMessages: SentMessage[];
  /** `x-line-request-id` of the accepted call. */
  requestId: string;
  retryKey?: string;
  notificationDisabled?: boolean;
  /**
   * False when LINE answered 200 but the user never saw it: they had blocked the account.
   * Inboxes and waits skip undelivered entries.
   */
  delivered: boolean;
}

/** Any request to the emulated API, accepted or not, in arrival order. */
export interface CallRecord {
  at: number;
  method: string;
  /** Path without the query string, e.g. `/v2/bot/message/push`. */
  path: string;
  /** HTTP status sent; 0 when the connection was dropped (fault injection). */
  status: number;
  requestId: string;
  retryKey?: string;
  /** Parsed JSON request body (binary uploads are not kept). */
  body?: unknown;
  /** Response body of a non-2xx answer, for debugging failed tests. */
  error?: unknown;
  /** Stack of an unexpected emulator error behind a 500 (an emulator bug, not a fault). */
  cause?: string;
}

/** What a repeat of an accepted retry key answers with. */
export interface AcceptedRetryKey {
  requestId: string;
  at: number;
  /** Only push answers a 409 with the original `sentMessages`. */
  sentMessages?: SentMessage[];
}

/** Profile data `GET /v2/bot/profile/{userId}` returns. */
export type UserProfile = messagingApi.UserProfileResponse;

/** Binary content with its media type (rich menu images, images users sent). */
export interface StoredContent {
  bytes: Buffer;
  contentType: string;
}

type Friendship = 'friend' | 'blocked';

interface ReplyTokenState {
  userId: string;
  expiresAt: number;
  /** Redelivery can extend a token, but never past 20 minutes after the event (LINE's rule). */
  hardExpiresAt: number;
}

/** Options for {@link LinePlatformStore}. */
export interface LinePlatformStoreOptions {
  /** How long a reply token stays usable, in ms. LINE documents one minute. */
  replyTokenTtlMs?: number;
  /** Clock for token expiry, retry-key windows and timestamps. */
  now?: () => number;
  /**
   * false: request bodies and delivered messages are not kept (calls keep their status and
   * retry key; delivery listeners still see every delivery). For load runs: 100,000 kept Flex
   * pushes make a heap of gigabytes whose garbage collection stalls the emulator.
   */
  keepMessages?: boolean;
}

const RETRY_KEY_WINDOW_MS = 24 * 60 * 60 * 1000;
const REDELIVERY_TOKEN_LIMIT_MS = 20 * 60 * 1000;
/** Expired tokens and keys are swept after this many insertions, keeping memory flat under load. */
const SWEEP_EVERY = 1000;
/** Message types LINE returns a quote token for. */
const QUOTABLE_TYPES = new Set(['text', 'textV2', 'sticker', 'image', 'video']);

/**
 * State of one emulated LINE channel. Use through `createLinePlatform`, or directly in unit
 * tests that need no HTTP.
 */
export class LinePlatformStore {
  readonly replyTokenTtlMs: number;
  readonly now: () => number;
  private readonly keepMessages: boolean;

  private readonly deliveries = new Map<string, Delivery[]>();
  private readonly callLog: CallRecord[] = [];
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly deliveryListeners = new Set<(chatId: string, delivery: Delivery) => void>();
  private readonly replyTokens = new Map<string, ReplyTokenState>();
  private readonly retryKeys = new Map<string, AcceptedRetryKey>();
  private readonly friendships = new Map<string, Friendship>();
  private readonly profiles = new Map<string, UserProfile>();
  /** Users LINE would give a profile for although they are not friends: they sent a message. */
  private readonly contacted = new Set<string>();
  private readonly contents = new Map<string, StoredContent>();
  private readonly loadings: { chatId: string; loadingSeconds: number; at: number }[] = [];
  private readonly richMenus = new Map<string, RichMenu>();
  private readonly richMenuImages = new Map<string, StoredContent>();
  private readonly aliases = new Map<string, string>();
  private readonly userRichMenus = new Map<string, string>();
  /** Menus shown after a `richmenuswitch` tap; cleared when the bot links or unlinks. */
  private readonly switchedRichMenus = new Map<string, string>();
  private defaultRichMenu: string | undefined;
  private readonly richMenuBatches = new Map<string, messagingApi.RichMenuBatchProgressResponse>();
  private nextMessageId = createMessageIdSequence();
  private insertionsSinceSweep = 0;
  private resets = 0;

  constructor(options: LinePlatformStoreOptions = {}) {
    this.replyTokenTtlMs = options.replyTokenTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.keepMessages = options.keepMessages ?? true;
  }

  // ---------------------------------------------------------------- calls

  /** Every API call so far, including rejected ones, oldest first. */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  /** @internal Appends to {@link calls}; used by the HTTP layer. */
  recordCall(call: CallRecord): void {
    this.callLog.push(this.keepMessages ? call : { ...call, body: undefined });
  }

  // ---------------------------------------------------------------- deliveries

  /** Accepted send calls addressed to `chatId` (user, group or room), oldest first. */
  messagesFor(chatId: string): readonly Delivery[] {
    return this.deliveries.get(chatId) ?? [];
  }

  /** Position after the last delivery to `chatId`; pass it as `since` to wait for newer ones. */
  cursor(chatId: string): number {
    return this.messagesFor(chatId).length;
  }

  /**
   * A reader over what `chatId` receives. It starts at the current end unless
   * `fromStart` is set, and advances as it reads.
   */
  inbox(chatId: string, options: { fromStart?: boolean } = {}): Inbox {
    return new Inbox(this, chatId, options.fromStart ? 0 : this.cursor(chatId));
  }

  /**
   * Resolves with the messages delivered to `chatId` after cursor `since` (default: from the
   * start) once there are at least `count` of them. Rejects after `timeoutMs`.
   */
  waitForMessages(
    chatId: string,
    options: { count: number; timeoutMs?: number; since?: number },
  ): Promise<Message[]> {
    const inbox = new Inbox(this, chatId, options.since ?? 0);
    return inbox.nextMessages({ count: options.count, timeoutMs: options.timeoutMs });
  }

  /**
   * @internal Records an accepted send call for each recipient and wakes their waiters.
   * Returns the `sentMessages` LINE answers with (one ID set, shared by all recipients).
   */
  deliver(
    recipients: readonly string[],
    call: Omit<Delivery, 'sentMessages' | 'delivered' | 'at'>,
  ): SentMessage[] {
    const sentMessages = call.messages.map((message) => this.sentMessageFor(message));
    const at = this.now();
    for (const chatId of recipients) {
      const delivery: Delivery = { ...call, at, sentMessages, delivered: !this.isBlocked(chatId) };
      if (this.keepMessages) {
        let list = this.deliveries.get(chatId);
        if (!list) this.deliveries.set(chatId, (list = []));
        list.push(delivery);
      }
      this.notify(chatId);
      for (const listener of this.deliveryListeners) listener(chatId, delivery);
    }
    return sentMessages;
  }

  /** Calls `listener` after every delivery to any chat (a transcript, a live chat UI). */
  onDelivery(listener: (chatId: string, delivery: Delivery) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /** @internal Calls `listener` after every delivery to `chatId` until the returned function runs. */
  subscribe(chatId: string, listener: () => void): () => void {
    let set = this.waiters.get(chatId);
    if (!set) this.waiters.set(chatId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.waiters.delete(chatId);
    };
  }

  private notify(chatId: string): void {
    const set = this.waiters.get(chatId);
    if (set) for (const listener of [...set]) listener();
  }

  private sentMessageFor(message: Message): SentMessage {
    const id = this.nextMessageId();
    return QUOTABLE_TYPES.has(message.type) ? { id, quoteToken: newQuoteToken() } : { id };
  }

  /** @internal A fresh message ID, for messages users send through the webhook sender. */
  newMessageId(): string {
    return this.nextMessageId();
  }

  // ---------------------------------------------------------------- reply tokens

  /** Issues a single-use reply token for an event from `userId`. */
  issueReplyToken(userId: string): string {
    const token = newReplyToken();
    const now = this.now();
    this.replyTokens.set(token, {
      userId,
      expiresAt: now + this.replyTokenTtlMs,
      hardExpiresAt: now + REDELIVERY_TOKEN_LIMIT_MS,
    });
    this.maybeSweep();
    return token;
  }

  /** Uses up a reply token. Returns the user it was issued for, or undefined if invalid. */
  consumeReplyToken(token: string): string | undefined {
    const state = this.replyTokens.get(token);
    if (!state) return undefined;
    this.replyTokens.delete(token);
    return this.now() < state.expiresAt ? state.userId : undefined;
  }

  /**
   * A redelivered webhook makes an unused token valid for another TTL, but never past
   * 20 minutes after the original event; used tokens stay used.
   */
  refreshReplyToken(token: string): void {
    const state = this.replyTokens.get(token);
    if (state) state.expiresAt = Math.min(this.now() + this.replyTokenTtlMs, state.hardExpiresAt);
  }

  // ---------------------------------------------------------------- retry keys

  /** The accepted request a retry key belongs to, if it was used in the last 24 hours. */
  acceptedRetryKey(key: string): AcceptedRetryKey | undefined {
    const accepted = this.retryKeys.get(key.toLowerCase());
    if (accepted && this.now() - accepted.at < RETRY_KEY_WINDOW_MS) return accepted;
    return undefined;
  }

  /** @internal Remembers an accepted retry key for 24 hours. */
  acceptRetryKey(key: string, accepted: Omit<AcceptedRetryKey, 'at'>): void {
    const normalised = key.toLowerCase();
    // Delete first so the Map stays in acceptance order, which the sweep relies on.
    this.retryKeys.delete(normalised);
    this.retryKeys.set(normalised, { ...accepted, at: this.now() });
    this.maybeSweep();
  }

  private maybeSweep(): void {
    if (++this.insertionsSinceSweep < SWEEP_EVERY) return;
    this.insertionsSinceSweep = 0;
    const now = this.now();
    // Both Maps are in insertion order, which is expiry order: stop at the first live entry,
    // so a sweep costs what it removes rather than everything still kept (24 h of retry keys).
    for (const [token, state] of this.replyTokens) {
      if (state.hardExpiresAt > now) break;
      this.replyTokens.delete(token);
    }
    for (const [key, accepted] of this.retryKeys) {
      if (now - accepted.at < RETRY_KEY_WINDOW_MS) break;
      this.retryKeys.delete(key);
    }
  }

  // ---------------------------------------------------------------- users

  /**
   * Marks `userId` as a friend (what a follow event means). Returns true when this
   * unblocks the account, which is what `follow.isUnblocked` reports.
   */
  follow(userId: string): boolean {
    const wasBlocked = this.friendships.get(userId) === 'blocked';
    this.friendships.set(userId, 'friend');
    return wasBlocked;
  }

  /** The user blocks the account: sends to them are answered 200 but not delivered. */
  block(userId: string): void {
    this.friendships.set(userId, 'blocked');
  }

  /** True after an unfollow (block) until the next follow. */
  isBlocked(userId: string): boolean {
    return this.friendships.get(userId) === 'blocked';
  }

  /** True after a follow until the next unfollow. */
  isFriend(userId: string): boolean {
    return this.friendships.get(userId) === 'friend';
  }

  /** @internal The user sent a message, which lets the bot read their profile without friendship. */
  noteContact(userId: string): void {
    this.contacted.add(userId);
  }

  /** Sets (part of) the profile the API returns for `userId`. */
  setProfile(userId: string, profile: Partial<Omit<UserProfile, 'userId'>>): void {
    this.profiles.set(userId, { ...this.defaultProfile(userId), ...this.profiles.get(userId), ...profile });
  }

  /**
   * The profile LINE would return: friends and users who messaged the account get one,
   * users who blocked it or never interacted do not.
   */
  profile(userId: string): UserProfile | undefined {
    if (this.isBlocked(userId)) return undefined;
    if (!this.isFriend(userId) && !this.contacted.has(userId) && !this.profiles.has(userId)) return undefined;
    return this.profiles.get(userId) ?? this.defaultProfile(userId);
  }

  private defaultProfile(userId: string): UserProfile {
    return { userId, displayName: `User ${userId.slice(1, 7)}`, language: 'th' };
  }

  /** @internal Records a loading-animation request. */
  recordLoading(chatId: string, loadingSeconds: number): void {
    this.loadings.push({ chatId, loadingSeconds, at: this.now() });
  }

  /** Loading animations the bot started, oldest first. */
  get loadingAnimations(): readonly { chatId: string; loadingSeconds: number; at: number }[] {
    return this.loadings;
  }

  // ---------------------------------------------------------------- content

  /** @internal Keeps the bytes of a message a user sent, for the content endpoint. */
  putMessageContent(messageId: string, content: StoredContent): void {
    this.contents.set(messageId, content);
  }

  /** Bytes of a message a user sent (images), by message ID. */
  messageContent(messageId: string): StoredContent | undefined {
    return this.contents.get(messageId);
  }

  // ---------------------------------------------------------------- rich menus

  /** @internal Stores a validated rich menu request and returns its new ID. */
  createRichMenu(request: Omit<RichMenu, 'richMenuId'>): string {
    const richMenuId = newRichMenuId();
    this.richMenus.set(richMenuId, { ...request, richMenuId });
    return richMenuId;
  }

  /** A rich menu by ID, as `GET /v2/bot/richmenu/{id}` returns it. */
  richMenu(richMenuId: string): RichMenu | undefined {
    return this.richMenus.get(richMenuId);
  }

  /** All rich menus, oldest first. */
  listRichMenus(): RichMenu[] {
    return [...this.richMenus.values()];
  }

  /** Deletes a menu along with its image, aliases and links. Returns false if unknown. */
  deleteRichMenu(richMenuId: string): boolean {
    if (!this.richMenus.delete(richMenuId)) return false;
    this.richMenuImages.delete(richMenuId);
    for (const [aliasId, target] of this.aliases) if (target === richMenuId) this.aliases.delete(aliasId);
    for (const [userId, linked] of this.userRichMenus) if (linked === richMenuId) this.userRichMenus.delete(userId);
    for (const [userId, shown] of this.switchedRichMenus) {
      if (shown === richMenuId) this.switchedRichMenus.delete(userId);
    }
    if (this.defaultRichMenu === richMenuId) this.defaultRichMenu = undefined;
    return true;
  }

  /** @internal Attaches an image; LINE never lets it be replaced. */
  setRichMenuImage(richMenuId: string, image: StoredContent): void {
    this.richMenuImages.set(richMenuId, image);
  }

  /** The uploaded image of a rich menu, if any. */
  richMenuImage(richMenuId: string): StoredContent | undefined {
    return this.richMenuImages.get(richMenuId);
  }

  /** LINE shows (links, defaults, aliases) only menus that have an image. */
  hasRichMenuImage(richMenuId: string): boolean {
    return this.richMenuImages.has(richMenuId);
  }

  /** Creates an alias. Returns false if the alias ID is taken. */
  createRichMenuAlias(aliasId: string, richMenuId: string): boolean {
    if (this.aliases.has(aliasId)) return false;
    this.aliases.set(aliasId, richMenuId);
    return true;
  }

  /** Points an existing alias elsewhere. Returns false if the alias does not exist. */
  updateRichMenuAlias(aliasId: string, richMenuId: string): boolean {
    if (!this.aliases.has(aliasId)) return false;
    this.aliases.set(aliasId, richMenuId);
    return true;
  }

  /** Deletes an alias. Returns false if it does not exist. */
  deleteRichMenuAlias(aliasId: string): boolean {
    return this.aliases.delete(aliasId);
  }

  /** The rich menu ID an alias points to. */
  richMenuAlias(aliasId: string): string | undefined {
    return this.aliases.get(aliasId);
  }

  /** All aliases, in creation order. */
  listRichMenuAliases(): messagingApi.RichMenuAliasResponse[] {
    return [...this.aliases].map(([richMenuAliasId, richMenuId]) => ({ richMenuAliasId, richMenuId }));
  }

  /** Sets (or with `undefined`, cancels) the default rich menu. */
  setDefaultRichMenu(richMenuId: string | undefined): void {
    this.defaultRichMenu = richMenuId;
  }

  /** The default rich menu set through the API. */
  get defaultRichMenuId(): string | undefined {
    return this.defaultRichMenu;
  }

  /**
   * Links a menu to a user. Like LINE, a link to someone who is not a friend is accepted
   * but has no effect.
   */
  linkRichMenu(userId: string, richMenuId: string): void {
    if (!this.isFriend(userId)) return;
    this.userRichMenus.set(userId, richMenuId);
    this.switchedRichMenus.delete(userId);
  }

  /** Removes the user's per-user menu (they see the default again). */
  unlinkRichMenu(userId: string): void {
    this.userRichMenus.delete(userId);
    this.switchedRichMenus.delete(userId);
  }

  /**
   * Applies one operation of `POST /v2/bot/richmenu/batch` to every matching per-user link:
   * move users from one menu to another, unlink users of one menu, or unlink everyone.
   */
  applyRichMenuBatchOperation(operation: messagingApi.RichMenuBatchOperation): void {
    for (const [userId, linked] of this.userRichMenus) {
      if (operation.type === 'link' && linked === operation.from) this.linkRichMenu(userId, operation.to);
      else if (operation.type === 'unlinkAll' || (operation.type === 'unlink' && linked === operation.from)) this.unlinkRichMenu(userId);
    }
  }

  /** @internal Remembers a finished batch for the progress endpoint, keyed by request ID. */
  recordRichMenuBatch(requestId: string): void {
    const at = new Date(this.now()); // serialised as ISO 8601, as LINE answers
    this.richMenuBatches.set(requestId, { phase: 'succeeded', acceptedTime: at, completedTime: at });
  }

  /** Progress of a rich menu batch by the request ID of the batch call. */
  richMenuBatchProgress(requestId: string): messagingApi.RichMenuBatchProgressResponse | undefined {
    return this.richMenuBatches.get(requestId);
  }

  /** The menu linked to this user through the API (not the default). */
  linkedRichMenuId(userId: string): string | undefined {
    return this.userRichMenus.get(userId);
  }

  /** @internal What a `richmenuswitch` tap does on the user's device. */
  showRichMenu(userId: string, richMenuId: string): void {
    this.switchedRichMenus.set(userId, richMenuId);
  }

  /**
   * The menu the user's LINE app displays: a tab they switched to, else the per-user
   * menu, else the default (LINE's priority order).
   */
  richMenuShownTo(userId: string): RichMenu | undefined {
    const id = this.switchedRichMenus.get(userId) ?? this.userRichMenus.get(userId) ?? this.defaultRichMenu;
    return id === undefined ? undefined : this.richMenus.get(id);
  }

  // ---------------------------------------------------------------- reset

  /** Incremented by {@link reset}; lets inboxes notice that their cursor is stale. */
  get generation(): number {
    return this.resets;
  }

  /** Forgets everything: messages, calls, tokens, keys, users and rich menus. */
  reset(): void {
    this.resets++;
    this.deliveries.clear();
    this.callLog.length = 0;
    this.replyTokens.clear();
    this.retryKeys.clear();
    this.friendships.clear();
    this.profiles.clear();
    this.contacted.clear();
    this.contents.clear();
    this.loadings.length = 0;
    this.richMenus.clear();
    this.richMenuImages.clear();
    this.aliases.clear();
    this.userRichMenus.clear();
    this.switchedRichMenus.clear();
    this.richMenuBatches.clear();
    this.defaultRichMenu = undefined;
    this.nextMessageId = createMessageIdSequence();
    // Waiters stay subscribed: they wait for future deliveries, which reset does not affect.
  }
}

/**
 * A cursor over what one chat receives. `next*` calls wait for new deliveries; reads skip
 * deliveries to a user who had blocked the account (they never saw them).
 */
export class Inbox {
  private generation: number;

  constructor(
    private readonly store: LinePlatformStore,
    readonly chatId: string,
    private position: number,
  ) {
    this.generation = store.generation;
  }

  /** Index into `store.messagesFor(chatId)` of the next unread delivery. */
  get cursor(): number {
    this.restartAfterReset();
    return this.position;
  }

  /** Unread deliveries, without waiting and without advancing. */
  peek(): Delivery[] {
    this.restartAfterReset();
    return this.store
      .messagesFor(this.chatId)
      .slice(this.position)
      .filter((delivery) => delivery.delivered);
  }

  /** After `store.reset()` everything delivered is new, so reading starts over. */
  private restartAfterReset(): void {
    if (this.generation === this.store.generation) return;
    this.generation = this.store.generation;
    this.position = 0;
  }

  /** Unread deliveries, without waiting; marks them read. */
  take(): Delivery[] {
    const unread = this.peek();
    this.position = this.store.messagesFor(this.chatId).length;
    return unread;
  }

  /** Waits for the next delivery (one API call's messages) and marks it read. */
  async next(options: { timeoutMs?: number } = {}): Promise<Delivery> {
    await this.waitFor(() => this.peek().length > 0, options.timeoutMs, 'a delivery');
    const list = this.store.messagesFor(this.chatId);
    while (!list[this.position]!.delivered) this.position++;
    return list[this.position++]!;
  }

  /**
   * Waits until at least `count` messages (not calls) are unread, then returns all unread
   * messages and marks them read.
   */
  async nextMessages(options: { count?: number; timeoutMs?: number } = {}): Promise<Message[]> {
    const count = options.count ?? 1;
    const unreadCount = (): number => this.peek().reduce((sum, d) => sum + d.messages.length, 0);
    await this.waitFor(() => unreadCount() >= count, options.timeoutMs, `${count} message(s)`);
    return this.take().flatMap((delivery) => delivery.messages);
  }

  private waitFor(ready: () => boolean, timeoutMs = 2000, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        unsubscribe();
        if (error) reject(error);
        else resolve();
      };
      const unsubscribe = this.store.subscribe(this.chatId, () => {
        if (ready()) finish();
      });
      const timer = setTimeout(() => finish(new Error(this.describeTimeout(timeoutMs, what))), timeoutMs);
    });
  }

  private describeTimeout(timeoutMs: number, what: string): string {
    const unread = this.peek().flatMap((delivery) => delivery.messages);
    const summary = unread.map(summarizeMessage).join(', ') || 'nothing';
    return `Timed out after ${timeoutMs} ms waiting for ${what} to ${this.chatId}; unread: ${summary}`;
  }
}

/** A one-line description of a message for error texts. */
export function summarizeMessage(message: Message): string {
  switch (message.type) {
    case 'text':
    case 'textV2':
      return `text "${message.text}"`;
    case 'flex':
    case 'template':
      return `${message.type} "${message.altText}"`;
    default:
      return message.type;
  }
}
