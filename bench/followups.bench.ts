/**
 * npm run bench:followups: 100,000 doses recorded on one day, their confirmations delivered
 * that day, then their day-1 check-ins delivered the next morning, to the LINE emulator.
 *
 * Phase 1 (recording/planning): every dose goes through recordDose in its own transaction,
 * as the admin API / hospital sync calls it, BENCH_PARALLEL at a time, given 08:00-16:00
 * Bangkok on one day: the vaccination row, its audit row, and what follows it
 * (plan-after-dose.ts: the 'dose-recorded' confirmation due at once, the next-dose reminders,
 * the check-ins of the profile as FollowUpCheckin rows with their push and 18:00 reminder) are
 * written together. Figures: doses/s = doses ÷ wall time of the phase; rows planned.
 *
 * The clock: the worker runs on the real clock, so the bench moves the plan instead. To put
 * the simulated time T at the real now, every notification row and check-in row is moved by
 * the same offset (due_at + (now − T − the offset already applied)): the whole plan shifts
 * together, nothing is picked out, cancelled or marked by SQL; statuses are the worker's.
 *
 * Phase 2 (the recording day's confirmations): the clock is set to 16:00 of the recording
 * day, so exactly the confirmations are due; the real worker process (`ROLE=worker
 * src/main.ts`) dispatches, renders and pushes them as production does, paced by the shared
 * push pacer (src/jobs/push-pacer.ts) at 90% of PUSH_RATE_PER_SECOND, to the emulator (its own
 * limit = the configured one, validation on). In production they go out while the doses are
 * recorded; here the phases run one after the other so each has its own figures.
 *
 * Phase 3 (day-1 check-ins): the clock is set to 09:00 of day 1, so the d1 check-ins (rows and
 * their pushes) are due; a fresh worker process delivers them the same way.
 *
 * Figures per delivery phase: due = notification rows due when the phase starts (by kind);
 * wall = first to last push the emulator accepted; deliveries/s = pushes ÷ wall; utilisation =
 * deliveries/s ÷ the configured limit (the pacer allows 90% of it); busiest 1 s = most pushes
 * in any sliding second; delivered = pushes the emulator accepted in the phase; duplicates =
 * deliveries minus distinct retry keys (each push carries its notification id); 409 / 429 =
 * the emulator's answers; total = worker start to every due row settled.
 *
 * Checks (each compares what the run produced, so each can fail): every confirmation
 * delivered once and its row SENT; every d1 check-in delivered once, its check-in row and its
 * notification row SENT; every notification row due by 09:00 of day 1 SENT, whatever its kind;
 * every row not yet due still SCHEDULED (nothing went early); no second above the limit; no
 * retry key delivered twice.
 *
 * Options (env): BENCH_DOSES (default 100000), BENCH_RATE (default 2000), BENCH_PARALLEL
 * (concurrent recordDose transactions, default 4: on 2 cores more only adds contention), BENCH_CONCURRENCY (the worker's
 * NOTIFICATION_CONCURRENCY: send batches in flight, default 8), BENCH_VALIDATE_EVERY (the
 * emulator validates every n-th push, default 1), FOLLOW_UP_PROFILE (default morprom).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createDatabaseClient, type PrismaClient } from '../src/db/client.js';
import { startLineEmulator, type LineEmulator } from '../src/emulator/index.js';
import { toLineErrorBody } from '../src/line/validation/index.js';
import { bangkokInstant, bangkokToday } from '../src/shared/clock.js';
import { addDays } from '../src/domain/vaccination/interval-rules.js';
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


interface Delivery {
  label: string;
  /** Notification rows due when the phase started, by kind. */
  dueByKind: Record<string, number>;
  due: number;
  wallS: number;
  totalS: number;
  deliveries: number;
  perSecond: number;
  busiest: number;
  duplicates: number;
  refused409: number;
  rateLimited429: number;
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
    const doseDay = bangkokToday(new Date(Date.now() - 86_400_000));
    const dayStart = bangkokInstant(doseDay, '08:00');
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

    /**
     * Sets the simulated clock to `at` at the real now: every notification and check-in row is
     * moved by the same amount, so the plan keeps its shape and the worker's real clock sees
     * what is due at `at`. Returns the real instant that stands for `at`. The tables are
     * vacuumed afterwards (every row was rewritten), as autovacuum would have done in the hours
     * the jump skips.
     */
    let shiftMs = 0;
    const setClock = async (at: Date): Promise<Date> => {
      const moving = Date.now();
      const now = new Date();
      const delta = now.getTime() - at.getTime() - shiftMs;
      await db.$executeRaw`UPDATE notification SET due_at = due_at + ${delta}::float8 * interval '1 millisecond'`;
      await db.$executeRaw`UPDATE follow_up_checkin SET due_at = due_at + ${delta}::float8 * interval '1 millisecond'`;
      await db.$executeRaw`VACUUM ANALYZE notification`;
      await db.$executeRaw`VACUUM ANALYZE follow_up_checkin`;
      shiftMs += delta;
      console.error(`clock set to ${at.toISOString()} (rows moved by ${(delta / 3_600_000).toFixed(2)} h in ${((Date.now() - moving) / 1000).toFixed(1)} s)`);
      return now;
    };

    emulator = await startLineEmulator({ channelSecret: 'bench', channelAccessToken: token, keepMessages: false, validate: sampledValidation(VALIDATE_EVERY), toErrorBody: toLineErrorBody, rateLimitPerSecond: RATE });
    const env = notificationWorkerEnv({ databaseUrl: database.url, redisPrefix, emulator, token, hashKey, encryptionKey, rate: RATE, concurrency: CONCURRENCY, extra: { FOLLOW_UP_PROFILE: PROFILE } });

    /** Starts a worker, waits until every row due at `now` is settled, stops it; what the emulator saw. */
    const deliverDue = async (label: string, now: Date): Promise<Delivery> => {
      const dueRows = await db.notification.groupBy({ by: ['kind'], where: { status: 'SCHEDULED', dueAt: { lte: now } }, _count: true });
      const dueByKind = Object.fromEntries(dueRows.map((r) => [r.kind, r._count]));
      const due = dueRows.reduce((sum, r) => sum + r._count, 0);
      const { times, perKey, stop } = recordDeliveries(emulator!);
      const callsBefore = emulator!.store.calls.length;
      const started = Date.now();
      worker = startWorker(env);
      while (Date.now() - started < TIMEOUT_MS) {
        if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const unsettled = await db.notification.count({ where: { status: { in: ['SCHEDULED', 'QUEUED'] }, dueAt: { lte: now } } });
        if (unsettled === 0) break;
      }
      const totalS = (Date.now() - started) / 1000;
      await stopProcess(worker);
      stop();
      times.sort((a, b) => a - b);
      const wallS = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
      let busiest = 0;
      for (let i = 0, j = 0; j < times.length; j++) {
        while (times[j]! - times[i]! >= 1000) i++;
        busiest = Math.max(busiest, j - i + 1);
      }
      const pushCalls = emulator!.store.calls.slice(callsBefore).filter((c) => c.path === PUSH);
      return {
        label,
        dueByKind,
        due,
        wallS,
        totalS,
        deliveries: times.length,
        perSecond: wallS > 0 ? times.length / wallS : 0,
        busiest,
        duplicates: times.length - perKey.size,
        refused409: pushCalls.filter((c) => c.status === 409).length,
        rateLimited429: pushCalls.filter((c) => c.status === 429).length,
      };
    };

    // Phase 2: 16:00 of the recording day: the confirmations are due, nothing else is.
    const confirmationsTime = bangkokInstant(doseDay, '16:00');
    const confirmations = await deliverDue('confirmations (16:00, recording day)', await setClock(confirmationsTime));
    // Phase 3: 09:00 of day 1: the d1 check-ins are due.
    const morningTime = bangkokInstant(addDays(doseDay, 1), '09:00');
    const morning = await deliverDue('d1 check-ins (09:00, day 1)', await setClock(morningTime));

    // Every row by when it was planned (its due_at less the clock's shift): due in phase 2,
    // due in phase 3, or later. Statuses are what the worker left.
    const recorded = DOSES - refused;
    const byPlannedTime = async (after: Date | null, until: Date | null) => {
      const rows = await db.notification.groupBy({
        by: ['status'],
        where: { dueAt: { ...(after ? { gt: new Date(after.getTime() + shiftMs) } : {}), ...(until ? { lte: new Date(until.getTime() + shiftMs) } : {}) } },
        _count: true,
      });
      const total = rows.reduce((sum, r) => sum + r._count, 0);
      const of = (status: string) => rows.find((r) => r.status === status)?._count ?? 0;
      return { total, of, text: rows.map((r) => `${r._count.toLocaleString('en')} ${r.status}`).join(', ') || 'none' };
    };
    const dueAtFour = await byPlannedTime(null, confirmationsTime);
    const dueAtNine = await byPlannedTime(confirmationsTime, morningTime);
    const later = await byPlannedTime(morningTime, null);
    const confirmationsSent = await db.notification.count({ where: { kind: 'dose-recorded', status: 'SENT' } });
    const d1 = await db.followUpCheckin.count({ where: { label: 'd1' } });
    const checkinsSent = await db.followUpCheckin.count({ where: { label: 'd1', status: 'SENT' } });

    const phases = [confirmations, morning];
    console.log(`\nbench:followups, ${new Date().toISOString()}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, profile ${PROFILE}, ${PARALLEL} parallel recordings, NOTIFICATION_CONCURRENCY ${CONCURRENCY}, node ${process.version}\n`);
    console.log('| doses | recording (recordDose + planning) | doses/s | check-ins planned | notifications planned | refused |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| ${DOSES.toLocaleString('en')} | ${recordS.toFixed(1)} s | ${(DOSES / recordS).toFixed(0)}/s | ${checkins.toLocaleString('en')} | ${planned.toLocaleString('en')} | ${refused} |`);
    console.log('\n| delivery | due (by kind) | limit | wall (first→last push) | deliveries/s | utilisation | busiest 1 s | delivered | duplicates | 409 / 429 | total incl. start-up |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const p of phases) {
      const kinds = Object.entries(p.dueByKind).map(([k, n]) => `${n.toLocaleString('en')} ${k}`).join(', ') || '0';
      console.log(`| ${p.label} | ${kinds} | ${RATE.toLocaleString('en')}/s | ${p.wallS.toFixed(1)} s | ${p.perSecond.toFixed(0)}/s | ${((p.perSecond / RATE) * 100).toFixed(0)}% | ${p.busiest} | ${p.deliveries.toLocaleString('en')} | ${p.duplicates} | ${p.refused409} / ${p.rateLimited429} | ${p.totalS.toFixed(1)} s |`);
    }
    console.log(`\nnotification rows, by when they were planned: by 16:00 of the recording day ${dueAtFour.text}; then by 09:00 of day 1 ${dueAtNine.text}; later ${later.text}`);
    const targets = [
      [
        `every confirmation delivered once and SENT (${recorded.toLocaleString('en')} doses recorded: ${confirmationsSent.toLocaleString('en')} confirmations SENT)`,
        confirmations.dueByKind['dose-recorded'] === recorded && confirmationsSent === recorded,
      ],
      [
        `every row due by 16:00 of the recording day delivered once and SENT (${confirmations.due.toLocaleString('en')} due, ${confirmations.deliveries.toLocaleString('en')} delivered; rows: ${dueAtFour.text})`,
        confirmations.deliveries === confirmations.due && dueAtFour.total === confirmations.due && dueAtFour.of('SENT') === dueAtFour.total,
      ],
      [
        `every d1 check-in delivered once and SENT (${d1.toLocaleString('en')} d1 check-ins, ${checkinsSent.toLocaleString('en')} SENT)`,
        d1 === recorded && morning.dueByKind['follow-up-checkin'] === d1 && checkinsSent === d1,
      ],
      [
        `every row due by 09:00 of day 1 delivered once and SENT (${morning.due.toLocaleString('en')} due, ${morning.deliveries.toLocaleString('en')} delivered; rows: ${dueAtNine.text})`,
        morning.deliveries === morning.due && dueAtNine.total === morning.due && dueAtNine.of('SENT') === dueAtNine.total,
      ],
      [
        `nothing sent early: every row due later still SCHEDULED (${later.text})`,
        later.total === planned - dueAtFour.total - dueAtNine.total && later.of('SCHEDULED') === later.total,
      ],
      [`within the configured push rate (busiest second ≤ ${RATE}: ${phases.map((p) => p.busiest).join(', ')})`, phases.every((p) => p.busiest <= RATE)],
      [`none twice (0 duplicates at the emulator: ${phases.map((p) => p.duplicates).join(', ')})`, phases.every((p) => p.duplicates === 0)],
    ] as const;
    console.log('');
    for (const [name, ok] of targets) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
    if (!targets.every(([, ok]) => ok)) process.exitCode = 1;
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
