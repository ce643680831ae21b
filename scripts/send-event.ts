/**
 * npm run line:send -- [--user U…] [--follow | --postback <data> | <text>]
 * Sends one signed webhook event to the local service, as LINE would: the documented way to
 * talk to the bot from a terminal until the emulator's chat UI exists. Reads PORT and
 * LINE_CHANNEL_SECRET from .env (npm run demo writes them). The bot's answers appear in the
 * service's log (emulator mode prints every message it receives).
 */
import { existsSync } from 'node:fs';
import { createHmac, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ulid } from 'ulid';

if (existsSync('.env')) process.loadEnvFile('.env');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { user: { type: 'string', default: 'U0000000000000000000000000000de01' }, follow: { type: 'boolean' }, postback: { type: 'string' } },
});
const secret = process.env.LINE_CHANNEL_SECRET;
if (!secret) {
  console.error('LINE_CHANNEL_SECRET is not set: run `npm run demo` once (it writes .env), or set it.');
  process.exit(1);
}
if (!/^U[0-9a-f]{32}$/.test(values.user!)) {
  console.error('--user must be a LINE user id: U followed by 32 hex digits');
  process.exit(1);
}
const text = positionals.join(' ');
if (!values.follow && values.postback === undefined && !text) {
  console.error('usage: npm run line:send -- [--user U…] (--follow | --postback <data> | <text>)');
  process.exit(1);
}
const base = { mode: 'active', timestamp: Date.now(), source: { type: 'user', userId: values.user }, webhookEventId: ulid(), deliveryContext: { isRedelivery: false }, replyToken: randomUUID().replace(/-/g, '') };
const event = values.follow
  ? { ...base, type: 'follow', follow: { isUnblocked: false } }
  : values.postback !== undefined
    ? { ...base, type: 'postback', postback: { data: values.postback } }
    : { ...base, type: 'message', message: { id: String(Date.now()), type: 'text', text, quoteToken: 'q' } };
const body = JSON.stringify({ destination: 'U00000000000000000000000000000000', events: [event] });
const url = `http://127.0.0.1:${process.env.PORT ?? 3000}/webhook`;
try {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-line-signature': createHmac('sha256', secret).update(body).digest('base64') } });
  console.log(`${url} answered ${res.status} ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`could not reach ${url}: ${err instanceof Error ? err.message : String(err)} (is the service running? npm run demo)`);
  process.exit(1);
}
