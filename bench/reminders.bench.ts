/**
 * npm run bench:reminders: 100,000 due appointment reminders delivered to the LINE emulator
 * by the real worker process (`ROLE=worker src/main.ts`, as production runs it: the
 * dispatcher's job scheduler claims the due rows and queues them as send batches; the sender
 * renders each push and sends it at a time reserved from the shared push pacer,
 * src/jobs/push-pacer.ts: GCRA reservations in Redis, one push every 1/pace seconds across
 * every sender process, at 90% of PUSH_RATE_PER_SECOND; BullMQ's job limiter is not used). The
 * emulator runs in this process with validation on (every message checked against LINE's
 * spec, as in the tests) and its own sliding-window rate limit at the configured one (LINE's).
 *
 * Prints wall time (first to last accepted push), deliveries/s (pushes ÷ wall), the pace the
 * pacer allows (read from the pacer itself), utilisation (deliveries/s ÷ the configured limit:
 * at most the pacer's 90%) and deliveries/s ÷ the pace (100%: the pacer is the only limit),
 * the busiest sliding second, rows SENT, duplicates at the emulator (a retry key, i.e. a
 * notification, delivered more than once: must be 0), 409 / 429 answers and the emulator's
 * longest event-loop stall. A second run in the same process is the baseline: the same
 * pipeline with the limit lifted to 10,000/s (the pacer at 9,000/s), which shows the
 * worker's own ceiling on this machine.
 *
 * Checks (each can fail): every reminder delivered within 1.2× the time the limit alone
 * allows (the pacer's floor is 1/0.9 ≈ 1.11× of it); none twice; every row SENT.
 *
 * Options (env): BENCH_REMINDERS (default 100000), BENCH_RATE (default 2000),
 * BENCH_CEILING_REMINDERS (default 30000; 0 skips the baseline), BENCH_CONCURRENCY (the
 * worker's NOTIFICATION_CONCURRENCY: send batches in flight, default 8), BENCH_WORKERS
 * (worker processes, default 1; they share the pacer, so they add up under one limit),
 * BENCH_VALIDATE_EVERY (the emulator validates every n-th push, default 1),
 * BENCH_WORKER_NODE_ARGS (node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=prof").
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createDatabaseClient, type PrismaClient } from '../src/db/client.js';
import { startLineEmulator, type LineEmulator } from '../src/emulator/index.js';
import { toLineErrorBody, validateLineRequest } from '../src/line/validation/index.js';
import { bangkokToday } from '../src/shared/clock.js';
import { addDays } from '../src/domain/vaccination/interval-rules.js';
import { seed } from '../prisma/seed.js';
import { createTestDatabase } from '../test/support/database.js';
import { createPushPacer } from '../src/jobs/push-pacer.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../test/support/stack.js';
import { stopProcess } from './support/load.js';
import { insertBenchPeople, notificationWorkerEnv, recordDeliveries, sampledValidation, startWorker } from './support/notification-worker.js';

const REMINDERS = Number(process.env.BENCH_REMINDERS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 2_000);
const CEILING_REMINDERS = Number(process.env.BENCH_CEILING_REMINDERS ?? 30_000);
const CEILING_RATE = 10_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** The emulator validates every n-th push against LINE's spec (1: every push). */
const VALIDATE_EVERY = Number(process.env.BENCH_VALIDATE_EVERY ?? 1);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const TIMEOUT_MS = 600_000;
const PUSH = '/v2/bot/message/push';

interface RunResult {
  label: string;
  reminders: number;
  rate: number;
  /** Pushes per second the push pacer allows at `rate` (below it, on purpose: push-pacer.ts). */
  pace: number;
  /** First to last accepted push, seconds. */
  wallS: number;
  /** Worker start to every row settled, seconds (start-up and the first dispatch included). */
  totalS: number;
  perSecond: number;
  sent: number;
  notSent: Record<string, number>;
  duplicates: number;
  refused409: number;
  rateLimited429: number;
  attempts: number;
  /** Most pushes accepted in any one-second sliding window. */
  busiestSecond: number;
  /**
   * The emulator's longest event-loop stall, ms. It counts a push when it gets to it: pushes
   * that waited out a stall are counted together, so a stall of ~1/9 s lets a sliding second
   * see more than the limit although we pace at 90% of it (the 429s of a run come from here).
   */
  emulatorStallMs: number;
}

/** Bulk-inserts `count` LINE users, people, appointments and their due day-before reminders. */
async function insertDueReminders(db: PrismaClient, count: number): Promise<void> {
  const date = addDays(bangkokToday(new Date()), 1);
  await insertBenchPeople(db, count);
  await db.$executeRaw`
    INSERT INTO slot (id, hospital_code, product_code, date, start_time, end_time, capacity, booked, updated_at)
    SELECT gen_random_uuid(), h.code, (SELECT code FROM vaccine_product ORDER BY code LIMIT 1), ${date}::date, '09:00', '12:00', ${count}::int, 0, now()
    FROM (SELECT code FROM hospital ORDER BY code LIMIT 200) h`;
  await db.$executeRaw`
    WITH s AS (SELECT array_agg(id ORDER BY id) AS ids FROM slot WHERE date = ${date}::date),
         p AS (SELECT id, owner_id, row_number() OVER (ORDER BY id) AS rn FROM person WHERE id_ciphertext = 'bench')
    INSERT INTO appointment (id, code, person_id, dose_number, active_dose, slot_id, status, idempotency_key, booked_by, version, updated_at)
    SELECT gen_random_uuid(), 'B' || lpad(p.rn::text, 9, '0'), p.id, 1, 1, s.ids[1 + (p.rn % array_length(s.ids, 1))], 'BOOKED',
           'bench-' || p.id, 'line:' || p.owner_id, 1, now()
    FROM p, s`;
  await db.$executeRaw`
    INSERT INTO notification (id, line_user_id, kind, person_id, appointment_id, appointment_version, due_at)
    SELECT gen_random_uuid(), p.owner_id, 'appointment-reminder-day-before', a.person_id, a.id, 1, now() - interval '1 second'
    FROM appointment a JOIN person p ON p.id = a.person_id`;
  await db.$executeRaw`ANALYZE`;
}


/**
 * The pace the sender keeps at `rate`, read from the push pacer itself (the interval of a
 * reservation of nothing, on a key of its own that expires in a second), so the figure
 * follows the pacer if its margin changes.
 */
async function pacerPace(rate: number, redisPrefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const { intervalMs } = await createPushPacer({ redis, prefix: `${redisPrefix}:pace-probe`, ratePerSecond: rate }).reserve(0);
    return 1000 / intervalMs;
  } finally {
    redis.disconnect();
  }
}

async function run(label: string, reminders: number, rate: number): Promise<RunResult> {
  const database = await createTestDatabase();
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const redisPrefix = `bench-${randomBytes(4).toString('hex')}`;
  const token = `bench-${randomBytes(8).toString('hex')}`;
  let emulator: LineEmulator | undefined;
  const workers: ChildProcess[] = [];
  try {
    await seed({ db, hashKey, encryptionKey });
    const seeding = Date.now();
    await insertDueReminders(db, reminders);
    console.error(`${label}: ${reminders} due reminders inserted in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

    // LINE's own limit in the emulator: never below the configured one (it is what we obey).
    emulator = await startLineEmulator({ channelSecret: 'bench', channelAccessToken: token, keepMessages: false, validate: sampledValidation(VALIDATE_EVERY), toErrorBody: toLineErrorBody, rateLimitPerSecond: rate });
    // LINE's servers are warm: compile the emulator's push validator now, not on the first
    // push (a ~250 ms stall that bunches the pushes waiting behind it into one second).
    validateLineRequest('push', { to: `U${'0'.repeat(32)}`, messages: [{ type: 'text', text: 'warm-up' }] });
    const { times, perKey } = recordDeliveries(emulator);
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();

    const env = notificationWorkerEnv({ databaseUrl: database.url, redisPrefix, emulator, token, hashKey, encryptionKey, rate, concurrency: CONCURRENCY });
    const started = Date.now();
    for (let i = 0; i < WORKERS; i++) workers.push(startWorker(env));

    let unsettled = reminders;
    while (Date.now() - started < TIMEOUT_MS) {
      const dead = workers.find((w) => w.exitCode !== null);
      if (dead) throw new Error(`a worker process exited with ${dead.exitCode}`);
      // Every 2 s: counting 100,000 pending rows costs PostgreSQL CPU the worker needs.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      unsettled = await db.notification.count({ where: { status: { in: ['SCHEDULED', 'QUEUED'] } } });
      if (unsettled === 0) break;
    }
    const totalS = (Date.now() - started) / 1000;
    stalls.disable();
    for (const worker of workers) await stopProcess(worker);

    const byStatus = await db.notification.groupBy({ by: ['status'], _count: true, _sum: { attempts: true } });
    const sent = byStatus.find((s) => s.status === 'SENT')?._count ?? 0;
    const notSent = Object.fromEntries(byStatus.filter((s) => s.status !== 'SENT').map((s) => [s.status, s._count]));
    const attempts = byStatus.reduce((sum, s) => sum + (s._sum.attempts ?? 0), 0);
    times.sort((a, b) => a - b);
    const wallS = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
    let busiestSecond = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      busiestSecond = Math.max(busiestSecond, j - i + 1);
    }
    const pushCalls = emulator.store.calls.filter((c) => c.path === PUSH);
    return {
      label,
      reminders,
      rate,
      pace: await pacerPace(rate, redisPrefix),
      wallS,
      totalS,
      perSecond: wallS > 0 ? times.length / wallS : 0,
      sent,
      notSent,
      // Every push carries its notification's id as retry key: more deliveries than keys = a copy.
      duplicates: times.length - perKey.size,
      refused409: pushCalls.filter((c) => c.status === 409).length,
      rateLimited429: pushCalls.filter((c) => c.status === 429).length,
      attempts,
      busiestSecond,
      emulatorStallMs: stalls.max / 1e6,
    };
  } finally {
    for (const worker of workers) await stopProcess(worker);
    await emulator?.stop();
    await db.$disconnect();
    await database.drop();
    await deleteRedisKeys(redisPrefix);
  }
}

function row(r: RunResult): string {
  const notSent = Object.entries(r.notSent).map(([k, v]) => `${v} ${k}`).join(', ') || '0';
  return `| ${r.label} | ${r.reminders.toLocaleString('en')} | ${r.rate.toLocaleString('en')}/s | ${r.wallS.toFixed(1)} s | ${r.perSecond.toFixed(0)}/s | ${Math.round(r.pace).toLocaleString('en')}/s | ${((r.perSecond / r.rate) * 100).toFixed(0)}% | ${((r.perSecond / r.pace) * 100).toFixed(0)}% | ${r.busiestSecond} | ${r.sent.toLocaleString('en')} | ${notSent} | ${r.duplicates} | ${r.refused409} / ${r.rateLimited429} | ${r.totalS.toFixed(1)} s | ${r.emulatorStallMs.toFixed(0)} ms |`;
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  results.push(await run(`worker, limit ${RATE}/s`, REMINDERS, RATE));
  if (CEILING_REMINDERS > 0) results.push(await run(`baseline: limit lifted (${CEILING_RATE}/s)`, CEILING_REMINDERS, CEILING_RATE));

  console.log(`\nbench:reminders, ${new Date().toISOString()}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${WORKERS} worker process(es), NOTIFICATION_CONCURRENCY ${CONCURRENCY}, node ${process.version}\n`);
  console.log('| run | reminders | limit | wall (first→last push) | deliveries/s | pace the pacer allows | utilisation (of the limit) | of the pace | busiest 1 s | rows SENT | not sent | duplicates | 409 / 429 | total incl. start-up | longest emulator stall |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(row(r));
  const main = results[0]!;
  const targets = [
    [
      `${REMINDERS.toLocaleString('en')} delivered in under ${((REMINDERS / RATE) * 1.2).toFixed(1)} s (1.2× what the limit alone allows; the pacer's floor at ${Math.round(main.pace).toLocaleString('en')}/s: ${(REMINDERS / main.pace).toFixed(1)} s)`,
      main.sent === REMINDERS && main.wallS < (REMINDERS / RATE) * 1.2,
    ],
    ['none twice (0 duplicates at the emulator)', results.every((r) => r.duplicates === 0)],
    ['every row SENT', results.every((r) => r.sent === r.reminders)],
  ] as const;
  console.log('');
  for (const [name, ok] of targets) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
}

main().catch((err) => {
  console.error('bench:reminders failed:', err);
  process.exit(1);
});
