/**
 * npm run richmenu:setup — creates or refreshes the rich menus on the channel named by
 * LINE_CHANNEL_ACCESS_TOKEN (see src/line/rich-menus/setup.ts for what it changes).
 *
 * Composition root for this CLI: the only place here that reads the environment.
 * Point LINE_API_BASE_URL / LINE_DATA_API_BASE_URL at the emulator to try it locally.
 */
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { z } from 'zod';
import { ConfigError, envSchema } from '../config/env.js';
import { setUpRichMenus } from '../line/rich-menus/setup.js';

/**
 * The settings this CLI uses, taken from the service's schema so defaults and checks match.
 * Not `envSchema.pick()`: zod refuses to pick from a schema with refinements. The token is
 * required here even though the service may run without one (emulator mode): this command
 * exists to change a real channel (point the base URLs at an emulator with any token).
 */
const cliEnvSchema = z.object({
  LINE_CHANNEL_ACCESS_TOKEN: z.string().min(1),
  LINE_API_BASE_URL: envSchema.shape.LINE_API_BASE_URL,
  LINE_DATA_API_BASE_URL: envSchema.shape.LINE_DATA_API_BASE_URL,
});

function readEnv(source: NodeJS.ProcessEnv) {
  // `KEY=` means "not set", as in parseEnv.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = cliEnvSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

async function main(): Promise<void> {
  const env = readEnv(process.env);
  const api = new messagingApi.MessagingApiClient({
    channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN,
    baseURL: env.LINE_API_BASE_URL,
  });
  const blob = new messagingApi.MessagingApiBlobClient({
    channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN,
    baseURL: env.LINE_DATA_API_BASE_URL,
  });
  const ids = await setUpRichMenus({ api, blob, log: (msg) => console.log(msg) });
  console.log(`guest  rich menu: ${ids.guest} (default)`);
  console.log(`member rich menu: ${ids.member}`);
}

main().catch((err: unknown) => {
  if (err instanceof HTTPFetchError) {
    const requestId = err.headers.get('x-line-request-id');
    console.error(
      `LINE API error: HTTP ${err.status} ${err.statusText}` +
        (requestId ? ` (x-line-request-id ${requestId})` : '') +
        `\n${err.body}`,
    );
  } else if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  }
  process.exit(1);
});
