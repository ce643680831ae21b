/**
 * A whole running system for integration tests: a fresh PostgreSQL database (migrated and
 * seeded), a Redis key space of its own, the LINE emulator (validating every message against
 * LINE's OpenAPI spec) and the real service (web + workers) pointed at both. Nothing is
 * mocked; everything is removed by close().
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Router } from 'express';
import { messagingApi } from '@line/bot-sdk';
import { parseEnv, type Env } from '../../src/config/env.js';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { startService, type RunningService, type ServiceEnv, type ServiceOptions } from '../../src/service.js';
import { startLineEmulator, type LineEmulator, type VirtualUser } from '../../src/emulator/index.js';
import { validateLineRequest, toLineErrorBody } from '../../src/line/validation/index.js';
import { setUpRichMenus } from '../../src/line/rich-menus/setup.js';
import { createPersonalDataCipher, type PersonalDataCipher } from '../../src/shared/personal-data.js';
import { queuePrefix } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/shared/logger.js';
import { seed } from '../../prisma/seed.js';
import { createTestDatabase } from './database.js';
import { th } from '../../src/i18n/th.js';
import type { DemoPerson } from '../../prisma/data/demo-people.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestStack {
  emulator: LineEmulator;
  service: RunningService;
  /** A separate client for assertions on what the service stored. */
  db: PrismaClient;
  env: ServiceEnv;
  cipher: PersonalDataCipher;
  databaseUrl: string;
  redisPrefix: string;
  richMenuIds: Record<'guest' | 'member', string>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Settings to override (strings, as in the environment). */
  env?: Record<string, string>;
  /** Reply-token lifetime in the emulator. */
  replyTokenTtlMs?: number;
  now?: () => Date;
  /** More routes for the service's web server, given the emulator (e.g. the chat UI). */
  extraRouters?: (emulator: LineEmulator) => Router[];
  /**
   * Run the notification dispatcher and sender (default true). Tests trigger a dispatch pass
   * with the test clock through `stack.service.dispatchNotifications()`.
   */
  notifications?: boolean;
  notificationTuning?: ServiceOptions['notificationTuning'];
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  await seed({ db, hashKey, encryptionKey });

  const channelSecret = randomBytes(16).toString('hex');
  const channelAccessToken = `test-${randomBytes(16).toString('hex')}`;
  const emulator = await startLineEmulator({
    channelSecret,
    channelAccessToken,
    validate: validateLineRequest,
    toErrorBody: toLineErrorBody,
    ...(options.replyTokenTtlMs ? { replyTokenTtlMs: options.replyTokenTtlMs } : {}),
    userTimeoutMs: 5_000,
  });
  const richMenuIds = await setUpRichMenus({
    api: new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: emulator.url }),
    blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken, baseURL: emulator.url }),
  });

  const redisPrefix = `test-${randomBytes(6).toString('hex')}`;
  const env = parseEnv({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    LINE_CHANNEL_SECRET: channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: channelAccessToken,
    LINE_API_BASE_URL: emulator.url,
    LINE_DATA_API_BASE_URL: emulator.url,
    ID_HASH_KEY: hashKey.toString('hex'),
    ID_ENCRYPTION_KEY: encryptionKey.toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_CONCURRENCY: '8',
    ...options.env,
  }) as Env as ServiceEnv;
  const log = createLogger({ level: env.LOG_LEVEL });
  const service = await startService(env, {
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.extraRouters ? { extraRouters: options.extraRouters(emulator) } : {}),
    ...(options.notifications !== undefined ? { notifications: options.notifications } : {}),
    ...(options.notificationTuning ? { notificationTuning: options.notificationTuning } : {}),
  });
  if (service.url) emulator.setWebhookUrl(`${service.url}/webhook`);

  return {
    emulator,
    service,
    db,
    env,
    cipher: createPersonalDataCipher({ hashKey, encryptionKey }),
    databaseUrl: database.url,
    redisPrefix,
    richMenuIds,
    async close() {
      await service.close();
      await emulator.stop();
      await db.$disconnect();
      await database.drop();
      await deleteRedisKeys(redisPrefix);
    },
  };
}

/**
 * Removes every key of a test's prefix, so no run leaves state for the next: the queues'
 * (`{prefix}:…`, the Cluster hash tag) and the rest (`prefix:…`: rate limits, push pacer).
 */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for (const pattern of [`${queuePrefix(prefix)}:*`, `${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/** Text of every message, Flex flattened to its texts, for readable assertions. */
export function textsOf(messages: readonly unknown[]): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') out.push(record.text);
      for (const [key, value] of Object.entries(record)) if (key !== 'quickReply' && key !== 'action') walk(value);
    }
  };
  for (const message of messages) {
    walk(message);
  }
  return out;
}

/** Sends a text and returns the texts of the bot's answer. */
export async function say(user: VirtualUser, text: string): Promise<string[]> {
  await user.say(text);
  return textsOf(await user.nextMessages());
}

/** Taps an action (label or rich-menu area index) and returns the texts of the bot's answer. */
export async function tap(user: VirtualUser, label: string | RegExp | number): Promise<string[]> {
  await user.tap(label);
  return textsOf(await user.nextMessages());
}

/**
 * Follows the OA and registers `person` as the user themself through the chat (mobile
 * 081-234-5678, Bangkok), checking the summary and the success message; returns the person id.
 */
export async function registerThroughChat(stack: TestStack, user: VirtualUser, person: DemoPerson): Promise<string> {
  await user.follow();
  await user.nextMessages();
  await tap(user, 'ยินยอม');
  await tap(user, 'บัตรประชาชน');
  await say(user, person.nationalId);
  await say(user, person.firstName);
  await say(user, person.lastName);
  await user.pickDate('เลือกวันเกิด', person.birthDate);
  await user.nextMessages();
  await tap(user, person.sex === 'male' ? 'ชาย' : 'หญิง');
  await say(user, '0812345678');
  const summary = await say(user, 'กรุงเทพมหานคร');
  if (!summary.includes(th['register.summaryTitle'])) throw new Error(`no registration summary: ${summary.join(' | ')}`);
  const done = (await tap(user, 'ยืนยัน')).join('\n');
  if (!done.includes(th['register.done'].split('{')[0]!.trim())) throw new Error(`registration did not succeed: ${done}`);
  return (await stack.db.person.findFirstOrThrow({ where: { ownerId: user.userId, isSelf: true }, select: { id: true } })).id;
}

/** Reads until `done` says yes or the time is up (then returns the last value, for the assertion to show). */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
