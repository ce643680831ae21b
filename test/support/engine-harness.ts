/**
 * Drives the conversation engine directly, without the webhook: a fresh migrated and seeded
 * PostgreSQL database, the real PostgresPopulationRegister, a real Redis rate limiter under a
 * key prefix of its own, and each event handled inside a transaction as the worker does.
 *
 * After every step the session is round-tripped through structuredClone and JSON before it
 * is passed to the next call, and every message is checked against LINE's schema.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { webhook } from '@line/bot-sdk';
import { expect } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { PostgresPopulationRegister } from '../../src/db/repositories/population-register.repository.js';
import { ensureLineUser } from '../../src/db/repositories/line-user.repository.js';
import { createBotEngine, emptySession, type BotEngine, type EngineResult, type SessionState } from '../../src/bot/engine.js';
import { allFlows } from '../../src/bot/flows/index.js';
import { decodePostback, encodePostback, type Postback } from '../../src/bot/postback.js';
import type { BotSettings } from '../../src/bot/context.js';
import type { Locale } from '../../src/i18n/index.js';
import type { LineMessage } from '../../src/line/line-gateway.js';
import { validateMessages } from '../../src/line/validation/index.js';
import { createPersonalDataCipher, type PersonalDataCipher } from '../../src/shared/personal-data.js';
import { createRedisRateLimiter } from '../../src/shared/rate-limiter.js';
import { createAppointmentLinkSigner, deriveAppointmentLinkKey, type AppointmentLinkSigner } from '../../src/domain/booking/appointment-links.js';
import { LinePlatformStore, WebhookEventFactory, type PostbackParams } from '../../src/emulator/index.js';
import { newUserId } from '../../src/emulator/ids.js';
import { seed } from '../../prisma/seed.js';
import { createTestCertificateServices } from './certificates.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { deleteRedisKeys, textsOf, TEST_REDIS_URL } from './stack.js';

export { textsOf };

export const SESSION_TTL_MINUTES = 30;
/** IDENTITY_ATTEMPTS_PER_HOUR's default in src/config/env.ts. */
export const IDENTITY_ATTEMPTS_PER_HOUR = 10;

export interface EngineHarness {
  db: PrismaClient;
  cipher: PersonalDataCipher;
  engine: BotEngine;
  events: WebhookEventFactory;
  settings: BotSettings;
  appointmentLinks: AppointmentLinkSigner;
  redisPrefix: string;
  redis: Redis;
  /** Largest number of messages one engine call returned (the worker sends them 5 at a time). */
  maxMessagesPerCall: number;
  chat(userId?: string): Chat;
  close(): Promise<void>;
}

export async function startEngineHarness(): Promise<EngineHarness> {
  let database: TestDatabase | undefined = await createTestDatabase();
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  await seed({ db, hashKey, encryptionKey });
  const cipher = createPersonalDataCipher({ hashKey, encryptionKey });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const redisPrefix = `flowtest-${randomBytes(6).toString('hex')}`;
  const settings: BotSettings = { consentVersion: '2021-04-01', exportLinkTtlMinutes: 15, publicBaseUrl: 'https://morprom.example/' };
  const appointmentLinks = createAppointmentLinkSigner(deriveAppointmentLinkKey(hashKey));
  const engine = createBotEngine({
    flows: allFlows,
    sessionTtlMinutes: SESSION_TTL_MINUTES,
    services: {
      cipher,
      rootDb: db,
      register: new PostgresPopulationRegister(db),
      identityLimiter: createRedisRateLimiter({ redis, prefix: redisPrefix, limit: IDENTITY_ATTEMPTS_PER_HOUR, windowSeconds: 3600 }),
      settings,
      appointmentLinks,
      certificates: await createTestCertificateServices(hashKey),
    },
  });
  const harness: EngineHarness = {
    db,
    cipher,
    engine,
    events: new WebhookEventFactory(new LinePlatformStore()),
    settings,
    appointmentLinks,
    redisPrefix,
    redis,
    maxMessagesPerCall: 0,
    chat: (userId) => new Chat(harness, userId ?? newUserId()),
    async close() {
      await deleteRedisKeys(redisPrefix);
      redis.disconnect();
      await db.$disconnect();
      await database?.drop();
      database = undefined;
    },
  };
  return harness;
}

/** What one engine call answered, with helpers for assertions. */
export interface Reply {
  result: EngineResult;
  messages: LineMessage[];
  /** Every text, Flex flattened (see textsOf). */
  texts: string[];
  /** The texts joined by newlines, for toContain. */
  all: string;
  /** The quick replies of the last message: label and decoded postback (if any). */
  quickReplies: Array<{ label: string; postback: Postback | null }>;
  /** Every postback payload in the messages (buttons, quick replies, Flex actions). */
  postbacks: Postback[];
}

/**
 * One LINE user talking to the engine. Keeps the session and locale between calls the way
 * the worker keeps them in conversation_session and line_user.
 */
export class Chat {
  session: SessionState = emptySession;
  locale: Locale = 'th';

  constructor(
    private readonly h: EngineHarness,
    readonly userId: string,
  ) {}

  text(text: string, now?: Date): Promise<Reply> {
    return this.send(this.h.events.text(this.userId, text), now);
  }

  postback(payload: Postback, params?: PostbackParams, now?: Date): Promise<Reply> {
    return this.send(this.h.events.postback(this.userId, encodePostback(payload), params), now);
  }

  /** Taps a button answering `step` with `value`. */
  answer(step: string, value: string, params?: PostbackParams): Promise<Reply> {
    return this.postback({ a: 'ans', s: step, v: value }, params);
  }

  menu(feature: Extract<Postback, { a: 'menu' }>['f']): Promise<Reply> {
    return this.postback({ a: 'menu', f: feature });
  }

  follow(): Promise<Reply> {
    return this.send(this.h.events.follow(this.userId));
  }

  unfollow(): Promise<Reply> {
    return this.send(this.h.events.unfollow(this.userId));
  }

  async send(event: webhook.Event, now: Date = new Date()): Promise<Reply> {
    const session = this.session;
    const locale = this.locale;
    const result = await this.h.db.$transaction(async (tx) => {
      // The worker makes sure the line_user row exists before the engine runs (consents and
      // people reference it).
      await ensureLineUser(tx, this.userId);
      return this.h.engine.handle({ db: tx, lineUserId: this.userId, locale, session, event, now });
    });
    assertValidMessages(result.messages);
    this.h.maxMessagesPerCall = Math.max(this.h.maxMessagesPerCall, result.messages.length);
    this.session = roundTrip(result.session);
    this.locale = result.locale;
    return toReply(result);
  }
}

/** The messages as the worker sends them: in chunks of 5, each valid for LINE. */
export function assertValidMessages(messages: LineMessage[]): void {
  for (let i = 0; i < messages.length; i += 5) {
    const chunk = messages.slice(i, i + 5);
    expect(validateMessages(chunk), JSON.stringify(chunk).slice(0, 2000)).toEqual([]);
  }
}

/**
 * Proves the session is plain data: structuredClone keeps it equal, and so does JSON (with
 * the one Date, expiresAt, revived as the database column would). Returns the JSON copy,
 * which is what the next call gets.
 */
export function roundTrip(session: SessionState): SessionState {
  const cloned = structuredClone(session);
  expect(cloned).toStrictEqual(session);
  expect(session.expiresAt === null || session.expiresAt instanceof Date).toBe(true);
  const json = JSON.parse(JSON.stringify(session)) as Omit<SessionState, 'expiresAt'> & { expiresAt: string | null };
  const revived: SessionState = { ...json, expiresAt: json.expiresAt === null ? null : new Date(json.expiresAt) };
  expect(revived).toStrictEqual(cloned);
  return revived;
}

function toReply(result: EngineResult): Reply {
  const texts = textsOf(result.messages);
  const last = result.messages.at(-1);
  const quickReplies = (last?.quickReply?.items ?? []).map(({ action }) => ({
    label: action?.label ?? '',
    postback: action && (action.type === 'postback' || action.type === 'datetimepicker') && 'data' in action ? decodePostback(String(action.data)) : null,
  }));
  return { result, messages: result.messages, texts, all: texts.join('\n'), quickReplies, postbacks: postbacksIn(result.messages) };
}

/** What a registration needs typed or chosen. */
export interface PersonAnswers {
  nationalId: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD, chosen with the date picker. */
  birthDate: string;
  sex: 'male' | 'female' | 'unspecified';
  phone?: string;
  province?: string;
}

/** How each registration step is answered well. */
const goodAnswers: Record<string, (chat: Chat, p: PersonAnswers) => Promise<Reply>> = {
  consent: (c) => c.answer('consent', 'accept'),
  idType: (c) => c.answer('idType', 'THAI_ID'),
  thaiId: (c, p) => c.text(p.nationalId),
  firstName: (c, p) => c.text(p.firstName),
  lastName: (c, p) => c.text(p.lastName),
  birthDate: (c, p) => c.answer('birthDate', 'picked', { date: p.birthDate }),
  sex: (c, p) => c.answer('sex', p.sex),
  phone: (c, p) => c.text(p.phone ?? '0812345678'),
  province: (c, p) => c.text(p.province ?? 'กรุงเทพมหานคร'),
};

/**
 * Answers the registration (or family registration) steps from wherever the chat is until
 * the flow waits on `until` (default: the summary). Fails if a step does not move on.
 */
export async function answerUntil(chat: Chat, person: PersonAnswers, until = 'summary'): Promise<Reply | undefined> {
  let last: Reply | undefined;
  for (let guard = 0; chat.session.step !== until; guard++) {
    const step = chat.session.step;
    const answer = step ? goodAnswers[step] : undefined;
    if (!answer || guard > 20) throw new Error(`cannot answer step ${String(step)} on the way to ${until}`);
    last = await answer(chat, person);
    if (chat.session.step === step) throw new Error(`step ${step} did not move on: ${last.all}`);
  }
  return last;
}

/** Every postback payload anywhere in the messages. */
export function postbacksIn(messages: unknown): Postback[] {
  const found: Postback[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if ((record.type === 'postback' || record.type === 'datetimepicker') && typeof record.data === 'string') {
      const decoded = decodePostback(record.data);
      if (decoded) found.push(decoded);
    }
    Object.values(record).forEach(walk);
  };
  walk(messages);
  return found;
}

/** Every action object (postback, uri, datetimepicker, ...) anywhere in a message. */
export function actionsIn(message: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.action && typeof record.action === 'object') found.push(record.action as Record<string, unknown>);
    Object.values(record).forEach(walk);
  };
  walk(message);
  return found;
}
