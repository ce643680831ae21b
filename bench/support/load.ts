/** Shared pieces of the benchmarks: a signed-webhook load run, child processes, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import type { LinePlatformStore } from '../../src/emulator/index.js';
import { ulid } from 'ulid';

export interface LoadResult {
  label: string;
  requests: number;
  non2xx: number;
  errors: number;
  durationS: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Requests answered 200 (each carries one new event). */
  acknowledged: number;
  /** Date.now() when the first request was sent (runWebhookLoad). */
  startedAt?: number;
  /** Reply token of each acknowledged event → Date.now() when its 200 came back (runWebhookLoad). */
  acknowledgedAt?: Map<string, number>;
  /** Each request's user and reply token, in the order they were sent (runWebhookLoad). */
  sent?: Array<{ userId: string; token: string }>;
}

/**
 * Sends `amount` signed webhook requests, one text event each, from `users` different LINE
 * users over `connections` keep-alive connections, and records which events were acknowledged.
 */
export async function runWebhookLoad(options: {
  label: string;
  url: string;
  secret: string;
  amount: number;
  connections: number;
  users: string[];
  text: string;
  /** When given, reply tokens are issued by this emulator so the bot can use them. */
  lineStore?: LinePlatformStore;
  /** Requests per second over all connections (open loop, autocannon's overallRate); unset: as fast as answered. */
  rate?: number;
}): Promise<LoadResult> {
  // Bodies and signatures are made before a closed-loop run, so the load generator (which
  // shares the machine's cores with the servers it measures) spends its time on requests only.
  // An open-loop run (`rate`) may last minutes: its events are made as they are sent, so each
  // carries a fresh timestamp and a reply token that lives from its sending (as LINE's do).
  const makeRequest = (i: number) => {
    const userId = options.users[i % options.users.length]!;
    const token = options.lineStore ? options.lineStore.issueReplyToken(userId) : ulid().toLowerCase();
    const body = JSON.stringify({
      destination: 'Ubench',
      events: [
        {
          type: 'message',
          mode: 'active',
          timestamp: Date.now(),
          source: { type: 'user', userId },
          webhookEventId: ulid(),
          deliveryContext: { isRedelivery: false },
          replyToken: token,
          message: { id: String(i), type: 'text', quoteToken: 'q', text: options.text },
        },
      ],
    });
    const signature = createHmac('sha256', options.secret).update(body).digest('base64');
    return { body, userId, token, headers: { 'content-type': 'application/json', 'x-line-signature': signature } };
  };
  const prepared = options.rate ? [] : Array.from({ length: options.amount + options.connections }, (_, i) => makeRequest(i));
  const sentRequests: Array<{ userId: string; token: string }> = [];
  let n = 0;
  let duration = (): number => 0;
  const acknowledgedAt = new Map<string, number>();
  const startedAt = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}/webhook`,
        connections: options.connections,
        amount: options.amount,
        method: 'POST',
        ...(options.rate ? { overallRate: options.rate } : {}),
        requests: [
          {
            // One request in flight per connection: the connection's context names its event.
            setupRequest: (req, context: { token?: string }) => {
              const { token, userId, ...request } = prepared[n] ?? makeRequest(n);
              n++;
              sentRequests.push({ userId, token });
              context.token = token;
              return { ...req, ...request };
            },
            onResponse: (status, _body, context: { token?: string }) => {
              if (status === 200 && context.token) acknowledgedAt.set(context.token, Date.now());
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    duration = timeToLastResponse(instance);
  });
  return { ...toLoadResult(options.label, result, duration), startedAt, acknowledgedAt, sent: sentRequests };
}

/**
 * Seconds from now to the last response of `instance`. autocannon's own `duration` stops at
 * the first 1-second sample tick after an `amount` run is done, so it rounds every run up to
 * whole seconds (10,000 requests done in 3.3 s were reported as 2,494/s instead of 3,030/s).
 */
export function timeToLastResponse(instance: autocannon.Instance): () => number {
  const started = performance.now();
  let last = started;
  instance.on('response', () => {
    last = performance.now();
  });
  return () => (last - started) / 1000;
}

/** autocannon's result as the figures our benchmarks print; `durationS` from timeToLastResponse where available. */
export function toLoadResult(label: string, result: autocannon.Result, durationS: () => number = () => result.duration): LoadResult {
  const seconds = durationS();
  return {
    label,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: seconds,
    perSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    acknowledged: result['2xx'],
  };
}

export { freePort } from '../../test/support/ports.js';

/** One markdown table row of a load result. */
export function resultRow(r: LoadResult): string {
  return `| ${r.label} | ${r.requests} | ${r.acknowledged} | ${r.non2xx + r.errors} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} |`;
}

/** Starts a child process and resolves once `readyUrl` answers 200. */
export async function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, readyUrl: string): Promise<ChildProcess> {
  // Its own process group, so stopProcess reaches anything it starts too. Start node itself
  // (node --import tsx …), not npx: npx and the tsx CLI did not pass SIGTERM on.
  const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopProcess(child);
  throw new Error(`${readyUrl} did not become ready`);
}

/** SIGTERM to the child's process group (graceful shutdown), SIGKILL after 15 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const group = -child.pid;
  const exited = new Promise((r) => child.once('exit', r));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
