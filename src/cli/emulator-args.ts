/** The command line of `npm run emulator` (see emulator.ts). */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run emulator -- --webhook <url> --secret <channel secret> [--token <access token>] [--port 3001] [--host 127.0.0.1] [--name <account name>]

  --webhook  the bot's webhook URL, e.g. http://127.0.0.1:3000/webhook (required)
  --secret   the channel secret the bot verifies signatures with (required)
  --token    the channel access token the API accepts (default: a random one, printed)
  --port     where the API and the chat UI listen (default 3001)
  --host     the interface to bind (default 127.0.0.1)
  --name     the account's name in the chat header (default "LINE Official Account")`;

/** Bad arguments; an empty message means only the usage was asked for (--help). */
export class UsageError extends Error {}

export interface EmulatorCliOptions {
  webhookUrl: string;
  channelSecret: string;
  channelAccessToken: string;
  port: number;
  host: string;
  botName: string;
}

/**
 * Reads the command line. Throws a UsageError, or the TypeError of node:util parseArgs
 * (unknown option, missing value), with a message for the user.
 */
export function parseEmulatorArgs(argv: string[]): EmulatorCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      webhook: { type: 'string' },
      secret: { type: 'string' },
      token: { type: 'string' },
      port: { type: 'string', default: '3001' },
      host: { type: 'string', default: '127.0.0.1' },
      name: { type: 'string', default: 'LINE Official Account' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  if (!values.webhook) throw new UsageError('--webhook <url> is required');
  let webhook: URL;
  try {
    webhook = new URL(values.webhook);
  } catch {
    throw new UsageError(`--webhook must be a URL, not "${values.webhook}"`);
  }
  if (webhook.protocol !== 'http:' && webhook.protocol !== 'https:') throw new UsageError(`--webhook must be an http(s) URL, not ${webhook.protocol}`);
  if (!values.secret) throw new UsageError('--secret <channel secret> is required (the bot verifies webhook signatures with it)');
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) throw new UsageError(`--port must be a port number (0-65535), not "${values.port}"`);
  if (values.token !== undefined && values.token.trim() === '') throw new UsageError('--token must not be empty');
  return {
    webhookUrl: webhook.href,
    channelSecret: values.secret,
    channelAccessToken: values.token ?? `emulator-${randomBytes(16).toString('hex')}`,
    port,
    host: values.host,
    botName: values.name,
  };
}
