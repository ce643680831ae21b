/**
 * npm run emulator -- --webhook <url> --secret <channel secret> [--token <access token>]
 *                     [--port 3001] [--host 127.0.0.1] [--name <account name>]
 *
 * Runs the local LINE platform (Messaging API with validation, webhook sender) and its chat
 * UI on their own, against any bot's webhook: point the bot's LINE SDK at the printed API
 * URL with the same access token, and open the printed chat URL.
 */
import type { Server } from 'node:http';
import express from 'express';
import { startLineEmulator } from '../emulator/index.js';
import { createEmulatorUiRouter } from '../emulator/ui/index.js';
import { toLineErrorBody, validateLineRequest } from '../line/validation/index.js';
import { parseEmulatorArgs, USAGE, UsageError, type EmulatorCliOptions } from './emulator-args.js';
import { createHttpServer } from '../http/http-server.js';

async function main(): Promise<void> {
  let options: EmulatorCliOptions;
  try {
    options = parseEmulatorArgs(process.argv.slice(2));
  } catch (error) {
    // parseArgs reports unknown options and missing values with a TypeError.
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      if (error.message) console.error(`emulator: ${error.message}\n`);
      console.error(USAGE);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }

  // The platform's own server stays on a free loopback port, unused; one server on --port
  // serves both the chat UI and the API (their paths never overlap).
  const emulator = await startLineEmulator({
    channelSecret: options.channelSecret,
    channelAccessToken: options.channelAccessToken,
    webhookUrl: options.webhookUrl,
    validate: validateLineRequest,
    toErrorBody: toLineErrorBody,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(createEmulatorUiRouter(emulator, { botName: options.botName }));
  app.use(emulator.platform.app);
  const server = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  const base = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  console.log(`LINE emulator
  chat UI        ${base}/emulator
  Messaging API  ${base}   (baseURL of MessagingApiClient and MessagingApiBlobClient)
  access token   ${options.channelAccessToken}
  webhook        ${options.webhookUrl}  (signed with the given channel secret)`);

  const stop = () => void shutdown(server, () => emulator.stop());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function shutdown(server: Server, stopEmulator: () => Promise<void>): Promise<void> {
  const closing = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Chat streams end by themselves within a moment once the server stops listening.
  setTimeout(() => server.closeAllConnections(), 2_000).unref();
  await closing;
  await stopEmulator();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('emulator: start-up failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
