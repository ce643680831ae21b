/**
 * What the push benchmarks (bench:reminders, bench:followups) share: a notifications worker
 * process as production runs it (ROLE=worker, against the emulator) and a record of what
 * the emulator received, per retry key, to count duplicates. bench:certificates uses its
 * people too (insertBenchPeople).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PrismaClient } from '../../src/db/client.js';
import type { LineEmulator } from '../../src/emulator/index.js';
import { validateLineRequest } from '../../src/line/validation/index.js';
import { TEST_REDIS_URL } from '../../test/support/stack.js';

export interface WorkerSettings {
  databaseUrl: string;
  redisPrefix: string;
  emulator: LineEmulator;
  token: string;
  hashKey: Buffer;
  encryptionKey: Buffer;
  rate: number;
  concurrency: number;
  extra?: Record<string, string>;
}

/** Settings of a worker process; not NODE_ENV=production, which also demands certificate keys. */
export function notificationWorkerEnv(s: WorkerSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    ROLE: 'worker',
    DATABASE_URL: s.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: s.redisPrefix,
    LINE_CHANNEL_SECRET: 'bench-secret',
    LINE_CHANNEL_ACCESS_TOKEN: s.token,
    LINE_API_BASE_URL: s.emulator.url,
    LINE_DATA_API_BASE_URL: s.emulator.url,
    LINE_EMULATOR: 'false',
    ID_HASH_KEY: s.hashKey.toString('hex'),
    ID_ENCRYPTION_KEY: s.encryptionKey.toString('hex'),
    LOG_LEVEL: 'warn',
    PUSH_RATE_PER_SECOND: String(s.rate),
    NOTIFICATION_CONCURRENCY: String(s.concurrency),
    NOTIFICATION_DISPATCH_EVERY_MS: '1000',
    ...s.extra,
  };
}

/** A worker in its own process group, so stopProcess (SIGTERM, graceful shutdown) reaches it. */
export function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
}

/**
 * Delivery times and deliveries per retry key, as the emulator records them, until `stop()`
 * (a bench with several delivery phases records each on its own).
 */
export function recordDeliveries(emulator: LineEmulator): { times: number[]; perKey: Map<string, number>; stop: () => void } {
  const times: number[] = [];
  const perKey = new Map<string, number>();
  const stop = emulator.store.onDelivery((_chatId, delivery) => {
    times.push(delivery.at);
    if (delivery.retryKey) perKey.set(delivery.retryKey, (perKey.get(delivery.retryKey) ?? 0) + 1);
  });
  return { times, perKey, stop };
}

/**
 * The emulator's message validator, applied to every `every`-th request (1: all). The emulator
 * stands in for LINE, whose CPU is not ours; on this 2-core machine validating every Flex card
 * costs the emulator about as much CPU as the sender spends sending it, so a push benchmark
 * may sample it. The tests validate every message.
 */
export function sampledValidation(every: number): typeof validateLineRequest {
  let seen = 0;
  return (kind, body) => (seen++ % every === 0 ? validateLineRequest(kind, body) : []);
}

/**
 * Bulk-inserts `count` followed LINE users (one in five English) and one registered person each
 * (born 1960, a synthetic hash, marked 'bench'), in two statements.
 */
export async function insertBenchPeople(db: PrismaClient, count: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO line_user (id, locale, following, updated_at)
    SELECT 'U' || md5('bench-u' || i), CASE WHEN i % 5 = 0 THEN 'en' ELSE 'th' END, true, now()
    FROM generate_series(1, ${count}::int) i`;
  await db.$executeRaw`
    INSERT INTO person (id, owner_id, is_self, identity_type, id_hash, id_ciphertext, nationality, first_name, last_name,
                        birth_date, sex, phone, province_code, verification_status, updated_at)
    SELECT gen_random_uuid(), 'U' || md5('bench-u' || i), true, 'THAI_ID', md5('bench-p' || i), 'bench', 'THA', 'สมชาย', 'ใจดี',
           '1960-01-01', 'male', '+66812345678', '10', 'VERIFIED', now()
    FROM generate_series(1, ${count}::int) i`;
}
