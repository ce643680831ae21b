/**
 * Composition root: settings → (emulator, in emulator mode) → service; graceful shutdown
 * on SIGINT/SIGTERM. Reads .env when present. ROLE=web|worker runs one half alone;
 * WEB_PROCESSES > 1 runs the web server in that many processes sharing PORT.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConfigError, parseEnv, usesEmulator, type Env } from './config/env.js';
import { createLogger, type Logger } from './shared/logger.js';
import { isWebClusterProcess, startWebCluster } from './http/web-cluster.js';
import { startService, type ServiceEnv } from './service.js';
import { startLineEmulator } from './emulator/index.js';
import { createEmulatorUiRouter } from './emulator/ui/index.js';
import { setUpRichMenus } from './line/rich-menus/setup.js';
import { messagingApi } from '@line/bot-sdk';
import type { Router } from 'express';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let env: Env;
  try {
    env = parseEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\nSee .env.example for every setting.`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger({ level: env.LOG_LEVEL, pretty: process.stdout.isTTY && env.NODE_ENV !== 'production' });
  // Stopped in this order on SIGINT/SIGTERM.
  const stops = env.WEB_PROCESSES > 1 && env.ROLE !== 'worker' && !isWebClusterProcess() ? await startWebProcesses(env, log) : await startInThisProcess(env, log);
  installShutdown(stops, log);
}

/**
 * WEB_PROCESSES > 1: this process supervises the web processes (node:cluster) and, with
 * ROLE=all, runs the workers itself. On a signal the web processes stop first (no new events
 * are accepted), then the workers finish their jobs.
 */
async function startWebProcesses(env: Env, log: Logger): Promise<Array<() => Promise<void>>> {
  const web = startWebCluster({ processes: env.WEB_PROCESSES, log });
  const stops = [() => web.stop()];
  if (env.ROLE === 'all') {
    // env.ts refuses more than one web process in emulator mode, so the credentials are set.
    const workers = await startService({ ...(env as ServiceEnv), ROLE: 'worker' }, { log });
    stops.push(() => workers.close());
  }
  return stops;
}

/** The service (and, in emulator mode, the local LINE platform) in this process. */
async function startInThisProcess(env: Env, log: Logger): Promise<Array<() => Promise<void>>> {
  const stops: Array<() => Promise<void>> = [];
  let serviceEnv: ServiceEnv;
  let extraRouters: Router[] = [];
  if (usesEmulator(env)) {
    // No LINE credentials: run the local LINE platform beside the bot and point the SDK at it.
    const channelSecret = env.LINE_CHANNEL_SECRET ?? randomBytes(16).toString('hex');
    const channelAccessToken = env.LINE_CHANNEL_ACCESS_TOKEN ?? `emulator-${randomBytes(16).toString('hex')}`;
    const emulator = await startLineEmulator({
      port: env.PORT + 1,
      channelSecret,
      channelAccessToken,
      webhookUrl: `http://127.0.0.1:${env.PORT}/webhook`,
    });
    stops.push(() => emulator.stop());
    // A transcript in the log, so the demo can be followed from the terminal.
    emulator.store.onDelivery((chatId, delivery) => log.info({ to: chatId, via: delivery.via }, `bot ▶ ${summarise(delivery.messages)}`));
    serviceEnv = { ...env, LINE_CHANNEL_SECRET: channelSecret, LINE_CHANNEL_ACCESS_TOKEN: channelAccessToken, LINE_API_BASE_URL: emulator.url, LINE_DATA_API_BASE_URL: emulator.url };
    log.info({ emulator: emulator.url }, 'emulator mode: LINE calls go to the local LINE platform');
    await setUpRichMenus({
      api: new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: emulator.url }),
      blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken, baseURL: emulator.url }),
      log: (message: string) => log.info(message),
    });
    extraRouters = [createEmulatorUiRouter(emulator, { botName: 'หมอพร้อม' })];
    log.info(`chat UI: http://localhost:${env.PORT}/emulator`);
  } else {
    serviceEnv = env as ServiceEnv;
  }

  const service = await startService(serviceEnv, { log, extraRouters });
  stops.unshift(() => service.close());
  return stops;
}

function installShutdown(stops: Array<() => Promise<void>>, log: Logger): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'signal received');
    const force = setTimeout(() => {
      log.error('shutdown took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    (async () => {
      for (const stop of stops) await stop();
    })()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** One line per message: its text, or a Flex message's altText, with the quick-reply labels. */
function summarise(messages: readonly messagingApi.Message[]): string {
  return messages
    .map((m) => {
      const body = m.type === 'text' ? m.text : m.type === 'flex' ? `[${m.altText}]` : `[${m.type}]`;
      const replies = m.quickReply?.items?.map((i) => i.action?.label).filter(Boolean) ?? [];
      return replies.length ? `${body}  ⟨${replies.join(' | ')}⟩` : body;
    })
    .join('\n        ');
}

main().catch((err) => {
  console.error('start-up failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
