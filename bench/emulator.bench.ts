/**
 * npm run bench:emulator: push requests against the LINE emulator with validation on (the
 * OpenAPI spec and LINE's extra limits, as in the tests), side by side in the same run with
 * a bare node:http handler that only reads the body and answers 200. Each server runs in its
 * own process; autocannon runs here. Prints pushes/s (requests ÷ the wall time from the start
 * of the run to its last response, measured with performance.now(), not autocannon's
 * duration, which is rounded up to whole seconds), latency percentiles (autocannon's) and
 * the ratio to the bare handler, then checks that the store recorded every accepted push
 * exactly once.
 *
 * Two shapes of push are measured, each against its own baseline: `text` (one text message,
 * the plain push request the target is about) and `card` (a text and a Flex bubble, as the
 * bot's reminders look; validating and storing a Flex message costs more).
 *
 * Options (env): BENCH_PUSHES (default 50000 per run), BENCH_CONNECTIONS (default 50),
 * BENCH_USERS (default 1000), BENCH_MESSAGE: 'text' or 'card' to measure only one shape.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import type { messagingApi } from '@line/bot-sdk';
import { freePort, resultRow, startProcess, stopProcess, timeToLastResponse, toLoadResult, type LoadResult } from './support/load.js';
import type { PushCheck } from './support/emulator-server.js';

const PUSHES = Number(process.env.BENCH_PUSHES ?? 50_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = Number(process.env.BENCH_USERS ?? 1_000);
type Shape = 'text' | 'card';
const SHAPES: Shape[] = process.env.BENCH_MESSAGE === 'text' || process.env.BENCH_MESSAGE === 'card' ? [process.env.BENCH_MESSAGE] : ['text', 'card'];
const SHAPE_NAMES: Record<Shape, string> = { text: 'one text', card: 'a text and a Flex card' };
const WARM_UP = 3_000;
const TARGET_PER_SECOND = 5_000;


/** What the bot pushes: one short text, or a reminder text and its Flex card. */
function messages(shape: Shape, text: string): messagingApi.Message[] {
  if (shape === 'text') return [{ type: 'text', text }];
  const row = (label: string, value: string): messagingApi.FlexBox => ({
    type: 'box',
    layout: 'baseline',
    spacing: 'sm',
    contents: [
      { type: 'text', text: label, size: 'sm', color: '#6B7280', flex: 2 },
      { type: 'text', text: value, size: 'sm', color: '#111827', flex: 4, wrap: true },
    ],
  });
  return [
    { type: 'text', text },
    {
      type: 'flex',
      altText: 'พรุ่งนี้มีนัดฉีดวัคซีน',
      contents: {
        type: 'bubble',
        header: {
          type: 'box',
          layout: 'vertical',
          backgroundColor: '#00A19A',
          paddingAll: 'lg',
          contents: [{ type: 'text', text: 'พรุ่งนี้มีนัดฉีดวัคซีน', size: 'lg', weight: 'bold', color: '#FFFFFF', wrap: true }],
        },
        body: {
          type: 'box',
          layout: 'vertical',
          spacing: 'md',
          contents: [row('วันที่', '12 เม.ย. 2569'), row('เวลา', '09:00–10:00'), row('สถานที่', 'สถานีกลางบางซื่อ กรุงเทพมหานคร'), row('เข็มที่', '2')],
        },
        footer: {
          type: 'box',
          layout: 'vertical',
          spacing: 'sm',
          contents: [
            { type: 'button', style: 'primary', color: '#00A19A', height: 'sm', action: { type: 'postback', label: 'ดูนัดหมาย', data: 'a=appt&v=1', displayText: 'ดูนัดหมาย' } },
            { type: 'button', style: 'secondary', height: 'sm', action: { type: 'postback', label: 'เลื่อนนัด', data: 'a=resched&v=1', displayText: 'เลื่อนนัด' } },
          ],
        },
      },
    },
  ];
}

/**
 * Sends `amount` pushes, each with a unique text `${prefix}${n}` and retry key, round-robin
 * over `users`. Bodies are built before the run so the load generator stays cheap.
 */
async function runPushLoad(options: {
  label: string;
  url: string;
  token: string;
  amount: number;
  users: string[];
  shape: Shape;
  prefix: string;
}): Promise<LoadResult> {
  const bodies = Array.from({ length: options.amount }, (_, i) =>
    JSON.stringify({ to: options.users[i % options.users.length], messages: messages(options.shape, `${options.prefix}${i}`) }),
  );
  const retryKeys = Array.from({ length: options.amount }, () => randomUUID());
  let n = 0;
  // pushes/s = requests ÷ the time to the last response, measured here: autocannon's own
  // `duration` ends at its next 1-second tick, so it rounds every run up to whole seconds.
  let duration = (): number => 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}/v2/bot/message/push`,
        connections: CONNECTIONS,
        amount: options.amount,
        method: 'POST',
        requests: [
          {
            setupRequest(req) {
              const i = n++ % options.amount;
              return {
                ...req,
                body: bodies[i]!,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'x-line-retry-key': retryKeys[i]! },
              };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    duration = timeToLastResponse(instance);
  });
  return toLoadResult(options.label, result, duration);
}

async function main(): Promise<void> {
  const token = `bench-${randomBytes(8).toString('hex')}`;
  const users = Array.from({ length: USERS }, () => `U${randomBytes(16).toString('hex')}`);
  const [barePort, apiPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const tsx = [process.execPath, ['--import', 'tsx']] as const;
  const children = [];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');

  try {
    const bare = await startProcess(tsx[0], [...tsx[1], 'bench/support/bare-http.ts', String(barePort)], process.env, `http://127.0.0.1:${barePort}/readyz`);
    children.push(bare);
    const emulator = await startProcess(
      tsx[0],
      [...tsx[1], 'bench/support/emulator-server.ts', String(apiPort), String(adminPort), token],
      process.env,
      `http://127.0.0.1:${adminPort}/readyz`,
    );
    children.push(emulator);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const emulatorUrl = `http://127.0.0.1:${apiPort}`;

    const runs: Array<{ shape: Shape; bare: LoadResult; emulator: LoadResult; check: PushCheck }> = [];
    for (const shape of SHAPES) {
      const common = { token, users, shape };
      // Warm both up (JIT, the validator's lazy compilation) before measuring.
      await runPushLoad({ ...common, label: 'warm-up', url: bareUrl, amount: WARM_UP, prefix: `warm-${shape}-` });
      const bareResult = await runPushLoad({ ...common, label: `bare node:http 200, ${shape}`, url: bareUrl, amount: PUSHES, prefix: `bare-${shape}-` });
      await runPushLoad({ ...common, label: 'warm-up', url: emulatorUrl, amount: WARM_UP, prefix: `warm-${shape}-` });
      const emulatorResult = await runPushLoad({ ...common, label: `LINE emulator, validation on, ${shape}`, url: emulatorUrl, amount: PUSHES, prefix: `run-${shape}-` });
      const response = await fetch(`http://127.0.0.1:${adminPort}/check`, { method: 'POST', body: JSON.stringify({ users, prefix: `run-${shape}-` }) });
      const check = (await response.json()) as PushCheck;
      runs.push({ shape, bare: bareResult, emulator: emulatorResult, check });
    }

    console.log(
      `\nbench:emulator, ${new Date().toISOString()}, ${PUSHES} pushes per run, ${CONNECTIONS} connections, ${USERS} users, ` +
        `node ${process.version}, ${cpus().length} CPUs, load average before ${load}`,
    );
    console.log(SHAPES.map((shape) => `${shape}: ${SHAPE_NAMES[shape]} per push`).join('; ') + '\n');
    console.log('| target | requests | 200 | errors | pushes/s | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const run of runs) {
      console.log(resultRow(run.bare));
      console.log(resultRow(run.emulator));
    }
    console.log('');
    const targets: Array<[string, boolean]> = [];
    let allExactlyOnce = true;
    for (const { shape, bare, emulator: result, check } of runs) {
      console.log(
        `${shape}: emulator/bare ${((result.perSecond / bare.perSecond) * 100).toFixed(1)}% (wall to the last response: bare ${bare.durationS.toFixed(2)} s, emulator ${result.durationS.toFixed(2)} s); store: ${check.deliveries} deliveries of ${result.acknowledged} accepted pushes, ` +
          `${check.distinctTexts} distinct texts, ${check.distinctRequestIds} distinct request IDs, ${check.acceptedCalls} of its push calls answered 200 in the call log`,
      );
      const exactlyOnce =
        check.deliveries === result.acknowledged &&
        check.distinctTexts === check.deliveries &&
        check.distinctRequestIds === check.deliveries &&
        check.acceptedCalls === result.acknowledged;
      allExactlyOnce &&= exactlyOnce;
      if (shape === 'text') targets.push([`≥ ${TARGET_PER_SECOND.toLocaleString('en')} pushes/s accepted (one text each)`, result.perSecond >= TARGET_PER_SECOND]);
      targets.push([`${shape}: every push accepted (valid messages, no errors)`, result.acknowledged === PUSHES]);
      targets.push([`${shape}: every accepted push recorded exactly once`, exactlyOnce]);
    }
    for (const [name, ok] of targets) console.log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
    if (!allExactlyOnce) process.exitCode = 1;
  } finally {
    for (const child of children) await stopProcess(child);
  }
}

main().catch((err) => {
  console.error('bench:emulator failed:', err);
  process.exit(1);
});
