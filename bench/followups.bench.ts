/**
 * npm run bench:followups: 100,000 doses recorded on one day, then their day-1 check-ins
 * delivered to the LINE emulator.
 *
 * Phase 1 (recording/planning): every dose goes through recordDose in its own transaction,
 * as the admin API / hospital sync calls it, BENCH_PARALLEL at a time: the vaccination row,
 * its audit row, the next-dose reminders and the check-ins of the profile (FollowUpCheckin
 * rows + their notifications) are written together. Reports doses/s and rows planned.
 *
 * Phase 2 (delivery): the clock jumps to 09:00 of day 1: the d1 check-ins (rows and their
 * notifications) are made due now (the confirmations, due on the recording day, are set
 * aside: they are not part of this measurement), then the real worker process (`ROLE=worker
 * src/main.ts`) dispatches and pushes them under the global rate limit to the emulator (its
 * own limit = the configured one, validation on). Reports wall time, deliveries/s, the
 * busiest second against the limit, check-ins SENT, and duplicates at the emulator (a retry
 * key delivered twice: must be 0).
 *
 * Options (env): BENCH_DOSES (default 100000), BENCH_RATE (default 2000), BENCH_PARALLEL
 * (concurrent recordDose transactions, default 4: on 2 cores more only adds contention), BENCH_CONCURRENCY (the worker's
 * NOTIFICATION_CONCURRENCY: send batches in flight, default 8), FOLLOW_UP_PROFILE (default morprom).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createDatabaseClient, type PrismaClient } from '../src/db/client.js';
import { startLineEmulator, type LineEmulator } from '../src/emulator/index.js';
import { toLineErrorBody } from '../src/line/validation/index.js';
import { recordDose } from '../src/domain/vaccination/record-dose.js';
import { configureFollowUpProfile, type FollowUpProfile } from '../src/domain/follow-up/follow-up-schedule.js';
import { seed } from '../prisma/seed.js';
import { createTestDatabase } from '../test/support/database.js';
import { deleteRedisKeys } from '../test/support/stack.js';
import { runConcurrently } from '../test/support/booking-fixtures.js';
import { stopProcess } from './support/load.js';
import { insertBenchPeople, notificationWorkerEnv, recordDeliveries, sampledValidation, startWorker } from './support/notification-worker.js';

const DOSES = Number(process.env.BENCH_DOSES ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 2_000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** The emulator validates every n-th push against LINE's spec (1: every push). */
const VALIDATE_EVERY = Number(process.env.BENCH_VALIDATE_EVERY ?? 1);
const PROFILE = (process.env.FOLLOW_UP_PROFILE ?? 'morprom') as FollowUpProfile;
const TIMEOUT_MS = 900_000;
const PUSH = '/v2/bot/message/push';

async function insertPeople(db: PrismaClient, count: number): Promise<string[]> {
  await insertBenchPeople(db, count);
  await db.$executeRaw`ANALYZE`;
  return (await db.person.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
}


async function main(): Promise<void> {
  const database = await createTestDatabase();
  const hashKey = randomBytes(32);
  const encryptionKey = randomBytes(32);
  const db = createDatabaseClient({ url: database.url, poolSize: PARALLEL + 4 });
  const redisPrefix = `bench-${randomBytes(4).toString('hex')}`;
  const token = `bench-${randomBytes(8).toString('hex')}`;
  let emulator: LineEmulator | undefined;
  let worker: ChildProcess | undefined;
  try {
    await seed({ db, hashKey, encryptionKey });
    const people = await insertPeople(db, DOSES);
    const hospitals = (await db.hospital.findMany({ select: { code: true }, orderBy: { code: 'asc' }, take: 200 })).map((h) => h.code);

    // Phase 1: the doses of one day, given 08:00-16:00 Bangkok yesterday, each recorded as reported.
    configureFollowUpProfile(PROFILE);
    const day = new Date(Date.now() - 86_400_000);
    const dayStart = new Date(`${new Date(day.getTime() + 7 * 3_600_000).toISOString().slice(0, 10)}T01:00:00Z`);
    const recording = Date.now();
    let refused = 0;
    await runConcurrently(people, PARALLEL, async (personId, i) => {
      const administeredAt = new Date(dayStart.getTime() + (i % 28_800) * 1_000);
      const result = await db.$transaction((tx) =>
        recordDose({
          db: tx,
          now: administeredAt,
          report: { personId, doseNumber: 1, productCode: 'AZ', lotNumber: `LOT${i % 50}`, administeredAt, hospitalCode: hospitals[i % hospitals.length]!, source: `his:${hospitals[i % hospitals.length]!}`, sourceRecordId: `bench-${i}`, recordedBy: 'bench' },
        }),
      );
      if (!result.ok) refused++;
    });
    const recordS = (Date.now() - recording) / 1000;
    const checkins = await db.followUpCheckin.count();
    const planned = await db.notification.count();
    console.error(`recorded ${DOSES} doses in ${recordS.toFixed(1)} s (${(DOSES / recordS).toFixed(0)}/s): ${checkins} check-ins, ${planned} notifications planned`);

    // Phase 2: 09:00 of day 1. The d1 check-ins fall due now; the confirmations are set aside.
    const now = new Date();
    await db.$executeRaw`UPDATE notification SET status = 'CANCELLED' WHERE kind = 'dose-recorded'`;
    await db.$executeRaw`UPDATE follow_up_checkin SET due_at = ${now} WHERE label = 'd1'`;
    await db.$executeRaw`
      UPDATE notification n SET due_at = ${new Date(now.getTime() - 1_000)}
      FROM follow_up_checkin c WHERE n.kind = 'follow-up-checkin' AND c.label = 'd1' AND n.data->>'checkinId' = c.id::text`;
    await db.$executeRaw`ANALYZE`;
    const due = await db.notification.count({ where: { status: 'SCHEDULED', dueAt: { lte: now } } });

    emulator = await startLineEmulator({ channelSecret: 'bench', channelAccessToken: token, keepMessages: false, validate: sampledValidation(VALIDATE_EVERY), toErrorBody: toLineErrorBody, rateLimitPerSecond: RATE });
    const { times, perKey } = recordDeliveries(emulator);
    const started = Date.now();
    worker = startWorker(
      notificationWorkerEnv({ databaseUrl: database.url, redisPrefix, emulator, token, hashKey, encryptionKey, rate: RATE, concurrency: CONCURRENCY, extra: { FOLLOW_UP_PROFILE: PROFILE } }),
    );
    while (Date.now() - started < TIMEOUT_MS) {
      if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const unsettled = await db.notification.count({ where: { status: { in: ['SCHEDULED', 'QUEUED'] }, dueAt: { lte: now } } });
      if (unsettled === 0) break;
    }
    const totalS = (Date.now() - started) / 1000;
    await stopProcess(worker);

    const sent = await db.followUpCheckin.count({ where: { label: 'd1', status: 'SENT' } });
    const rows = await db.notification.groupBy({ by: ['status'], where: { kind: 'follow-up-checkin', dueAt: { lte: now } }, _count: true });
    times.sort((a, b) => a - b);
    const wallS = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
    let busiest = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      busiest = Math.max(busiest, j - i + 1);
    }
    const duplicates = times.length - perKey.size;
    const pushCalls = emulator.store.calls.filter((c) => c.path === PUSH);
    const perSecond = wallS > 0 ? times.length / wallS : 0;

    console.log(`\nbench:followups, ${new Date().toISOString()}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, profile ${PROFILE}, ${PARALLEL} parallel recordings, NOTIFICATION_CONCURRENCY ${CONCURRENCY}, node ${process.version}\n`);
    console.log('| doses | recording (recordDose + planning) | doses/s | check-ins planned | notifications planned | refused |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| ${DOSES.toLocaleString('en')} | ${recordS.toFixed(1)} s | ${(DOSES / recordS).toFixed(0)}/s | ${checkins.toLocaleString('en')} | ${planned.toLocaleString('en')} | ${refused} |`);
    console.log('\n| d1 check-ins due | limit | wall (first→last push) | deliveries/s | utilisation | busiest 1 s | check-ins SENT | rows | duplicates | 409 / 429 | total incl. start-up |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    const rowsText = rows.map((r) => `${r._count} ${r.status}`).join(', ');
    console.log(`| ${due.toLocaleString('en')} | ${RATE.toLocaleString('en')}/s | ${wallS.toFixed(1)} s | ${perSecond.toFixed(0)}/s | ${((perSecond / RATE) * 100).toFixed(0)}% | ${busiest} | ${sent.toLocaleString('en')} | ${rowsText} | ${duplicates} | ${pushCalls.filter((c) => c.status === 409).length} / ${pushCalls.filter((c) => c.status === 429).length} | ${totalS.toFixed(1)} s |`);
    const targets = [
      [`every d1 check-in delivered (${due.toLocaleString('en')})`, sent === due && times.length === due],
      [`within the configured push rate (busiest second ≤ ${RATE})`, busiest <= RATE],
      ['none twice (0 duplicates at the emulator)', duplicates === 0],
    ] as const;
    console.log('');
    for (const [name, ok] of targets) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
  } finally {
    if (worker) await stopProcess(worker);
    await emulator?.stop();
    await db.$disconnect();
    await database.drop();
    await deleteRedisKeys(redisPrefix);
  }
}

main().catch((err) => {
  console.error('bench:followups failed:', err);
  process.exit(1);
});
