/**
 * The local LINE platform: the emulated Messaging API (both hosts on one HTTP server), the
 * webhook sender and programmable users, started together.
 *
 *   const emulator = await startLineEmulator({ channelSecret, channelAccessToken, webhookUrl });
 *   const client = new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: emulator.url });
 *   const user = emulator.user();
 *   await user.follow();
 *   const welcome = await user.nextMessages();
 */
import type { AddressInfo } from 'node:net';
import { VirtualUser } from './client.js';
import { newUserId } from './ids.js';
import { createLinePlatform, type LinePlatform, type LinePlatformOptions } from './platform.js';
import type { LinePlatformStore } from './store.js';
import type { FaultInjector } from './faults.js';
import { WebhookSender } from './webhook-sender.js';
import { createHttpServer } from '../http/http-server.js';

/** Options for {@link startLineEmulator}. */
export interface LineEmulatorOptions extends LinePlatformOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** The bot's webhook; can also be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** The bot's user ID in webhook `destination`. */
  destination?: string;
  /** Timeout of each webhook POST (ms, default 10 000). */
  webhookTimeoutMs?: number;
  /** Default wait of `user.nextMessages()` (ms, default 2 000). */
  userTimeoutMs?: number;
}

/** A started emulator. */
export interface LineEmulator {
  /** Base URL for both `MessagingApiClient` and `MessagingApiBlobClient`. */
  url: string;
  port: number;
  platform: LinePlatform;
  store: LinePlatformStore;
  faults: FaultInjector;
  sender: WebhookSender;
  /** The virtual user with this ID (a random one if omitted); the same object per ID. */
  user(userId?: string): VirtualUser;
  setWebhookUrl(url: string): void;
  /** Clears all platform state and faults; existing virtual users keep working. */
  reset(): void;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

/** Starts the emulated LINE platform on one HTTP server. */
export async function startLineEmulator(options: LineEmulatorOptions): Promise<LineEmulator> {
  const platform = createLinePlatform(options);
  const sender = new WebhookSender({
    channelSecret: options.channelSecret,
    store: platform.store,
    ...(options.webhookUrl !== undefined && { webhookUrl: options.webhookUrl }),
    ...(options.destination !== undefined && { destination: options.destination }),
    ...(options.webhookTimeoutMs !== undefined && { timeoutMs: options.webhookTimeoutMs }),
  });

  const server = createHttpServer(platform.handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  const users = new Map<string, VirtualUser>();
  return {
    url: `http://${host}:${port}`,
    port,
    platform,
    store: platform.store,
    faults: platform.faults,
    sender,
    user(userId = newUserId()) {
      let user = users.get(userId);
      if (!user) {
        user = new VirtualUser(userId, { store: platform.store, sender, timeoutMs: options.userTimeoutMs ?? 2000 });
        users.set(userId, user);
      }
      return user;
    },
    setWebhookUrl: (url) => sender.setWebhookUrl(url),
    reset: () => platform.reset(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; without this, close() waits for them to idle out.
        server.closeAllConnections();
      }),
  };
}

export { createLinePlatform, type LinePlatform, type LinePlatformOptions } from './platform.js';
export { LinePlatformStore, Inbox, type Delivery, type DeliveryVia, type CallRecord, type UserProfile } from './store.js';
export { FaultInjector, type FaultMatch, type FaultOptions } from './faults.js';
export {
  WebhookSender,
  WebhookEventFactory,
  signWebhookBody,
  type WebhookDelivery,
  type PostbackParams,
  type LocationInput,
  type ImageInput,
} from './webhook-sender.js';
export { VirtualUser, type TapTarget, type TapOptions, type TapResult, type TranscriptEntry } from './client.js';
export { actionsInMessages, actionsInRichMenu, type TappableAction } from './actions.js';
export type { Validate, ValidationIssue, ValidationKind } from './route-contract.js';
export { createSolidPng, readImageInfo } from './image-info.js';
