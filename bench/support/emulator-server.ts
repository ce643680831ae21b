/**
 * The emulator as bench:emulator measures it: in its own process (the load generator gets
 * the other core), validating every request against LINE's spec. A second, tiny server
 * answers the bench's exactly-once check from the emulator's store.
 * Usage: tsx bench/support/emulator-server.ts <apiPort> <adminPort> <accessToken>
 */
import { createServer } from 'node:http';
import { startLineEmulator } from '../../src/emulator/index.js';
import { toLineErrorBody, validateLineRequest } from '../../src/line/validation/index.js';

const [apiPort, adminPort, token] = process.argv.slice(2);
if (!apiPort || !adminPort || !token) {
  console.error('usage: emulator-server.ts <apiPort> <adminPort> <accessToken>');
  process.exit(1);
}

const emulator = await startLineEmulator({
  port: Number(apiPort),
  channelSecret: 'bench',
  channelAccessToken: token,
  validate: validateLineRequest,
  toErrorBody: toLineErrorBody,
});

/** What the store recorded for one run, whose pushes carry texts starting with `prefix`. */
export interface PushCheck {
  /** The run's push calls answered 200, as the call log has them. */
  acceptedCalls: number;
  /** Deliveries of the run's texts, over all recipients. */
  deliveries: number;
  /** Different texts among them (every request sent a unique one). */
  distinctTexts: number;
  /** Different request IDs among the deliveries. */
  distinctRequestIds: number;
}

function check(users: string[], prefix: string): PushCheck {
  const texts = new Set<string>();
  const requestIds = new Set<string>();
  let deliveries = 0;
  for (const user of users) {
    for (const delivery of emulator.store.messagesFor(user)) {
      const first = delivery.messages[0];
      if (delivery.via !== 'push' || first?.type !== 'text' || !first.text.startsWith(prefix)) continue;
      deliveries++;
      texts.add(first.text);
      requestIds.add(delivery.requestId);
    }
  }
  const acceptedCalls = emulator.store.calls.filter(
    (call) => call.path === '/v2/bot/message/push' && call.status === 200 && firstText(call.body)?.startsWith(prefix),
  ).length;
  return { acceptedCalls, deliveries, distinctTexts: texts.size, distinctRequestIds: requestIds.size };
}

function firstText(body: unknown): string | undefined {
  const first = (body as { messages?: Array<{ text?: unknown }> } | undefined)?.messages?.[0]?.text;
  return typeof first === 'string' ? first : undefined;
}

createServer((req, res) => {
  if (req.url === '/readyz') return void res.end('ready');
  // CPU time used so far (µs), to work out what one push costs the emulator.
  if (req.url === '/cpu') {
    const { user, system } = process.cpuUsage();
    return void res.end(JSON.stringify({ user, system }));
  }
  if (req.method === 'POST' && req.url === '/check') {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const { users, prefix } = JSON.parse(body) as { users: string[]; prefix: string };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(check(users, prefix)));
    });
    return;
  }
  res.statusCode = 404;
  res.end();
}).listen(Number(adminPort), '127.0.0.1');

process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
