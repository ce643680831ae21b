/**
 * What the chat UI shows for each of its virtual users: everything they sent and everything
 * the bot delivered to them, in order. Entries are numbered per user so a page can resume
 * its live stream (Server-Sent Events' `Last-Event-ID`) without gaps or repeats.
 */
import type { messagingApi } from '@line/bot-sdk';
import type { DeliveryVia, LinePlatformStore } from '../store.js';
import type { LocationInput } from '../webhook-sender.js';

/** A message the user sent, as their own bubble shows it. */
export type SentByUser =
  | { type: 'text'; text: string }
  | { type: 'location'; location: LocationInput }
  | { type: 'sticker'; packageId: string; stickerId: string }
  /** The bytes are at `GET /emulator/api/content/{messageId}`, as the bot downloads them. */
  | { type: 'image'; messageId: string };

/** What an entry holds, before the log numbers it. */
export type ChatEntryContent =
  | { from: 'user'; message: SentByUser }
  | { from: 'bot'; via: DeliveryVia; messages: messagingApi.Message[] }
  /** Something that happened without a bubble: a follow, a block, a date picked. */
  | { from: 'system'; text: string };

/** One line of the chat: `seq` counts from 1 per user. */
export type ChatEntry = ChatEntryContent & { seq: number; at: number };

/** A user of the chat UI. */
export interface ChatUser {
  userId: string;
  displayName: string;
}

type Listener = (entry: ChatEntry) => void;

/** The chat UI's users and their chats, fed by the platform's deliveries. */
export class ChatLog {
  private readonly users = new Map<string, ChatUser>();
  private readonly chats = new Map<string, ChatEntry[]>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stopListening: () => void;

  constructor(private readonly store: LinePlatformStore) {
    this.stopListening = store.onDelivery((chatId, delivery) => {
      // A user who blocked the account never sees what is sent to them.
      if (!this.users.has(chatId) || !delivery.delivered) return;
      this.append(chatId, { from: 'bot', via: delivery.via, messages: delivery.messages });
    });
  }

  /**
   * Adds a user. A user the platform already knows (a test's virtual user, a user from an
   * earlier page) starts with what the bot already delivered to them.
   */
  addUser(user: ChatUser): ChatUser {
    const existing = this.users.get(user.userId);
    if (existing) return existing;
    this.users.set(user.userId, user);
    this.chats.set(user.userId, []);
    for (const delivery of this.store.messagesFor(user.userId)) {
      if (delivery.delivered) this.append(user.userId, { from: 'bot', via: delivery.via, messages: delivery.messages }, delivery.at);
    }
    return user;
  }

  user(userId: string): ChatUser | undefined {
    return this.users.get(userId);
  }

  /** Users in the order they were added. */
  listUsers(): ChatUser[] {
    return [...this.users.values()];
  }

  /** Appends an entry to a known user's chat and tells whoever is watching it. */
  append(userId: string, content: ChatEntryContent, at = this.store.now()): ChatEntry {
    const chat = this.chats.get(userId);
    if (!chat) throw new Error(`${userId} is not a chat UI user`);
    const entry = { ...content, seq: chat.length + 1, at } as ChatEntry;
    chat.push(entry);
    for (const listener of this.listeners.get(userId) ?? []) listener(entry);
    return entry;
  }

  /** Entries after `seq` (0: all), oldest first. */
  entries(userId: string, since = 0): ChatEntry[] {
    return (this.chats.get(userId) ?? []).slice(Math.max(0, since));
  }

  /** Calls `listener` for each new entry in `userId`'s chat until the returned function runs. */
  watch(userId: string, listener: Listener): () => void {
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  /** Stops following the platform's deliveries. */
  close(): void {
    this.stopListening();
    this.listeners.clear();
  }
}
