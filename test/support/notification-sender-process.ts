/**
 * The notification sender alone in its own process, for the crash test: it reads its settings
 * from the environment (as src/main.ts would) and runs the same worker the service runs, so
 * a test can SIGKILL it in the middle of a push. Prints "ready" once the worker is running.
 */
import { messagingApi } from '@line/bot-sdk';
import { createDatabaseClient } from '../../src/db/client.js';
import { createLineGateway } from '../../src/line/line-gateway.js';
import { createMessageTransport } from '../../src/line/message-transport.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPersonalDataCipher } from '../../src/shared/personal-data.js';
import { createRedisRateLimiter } from '../../src/shared/rate-limiter.js';
import { PostgresPopulationRegister } from '../../src/db/repositories/population-register.repository.js';
import { createWorkerConnection, queuePrefix } from '../../src/jobs/queues.js';
import { createNotificationSender, createNotificationWorker } from '../../src/jobs/notifications.js';
import { createPushPacer } from '../../src/jobs/push-pacer.js';
import { createNotificationRenderers } from '../../src/notifications/renderers.js';
import { createBatchedAppointmentViewLoader } from '../../src/notifications/appointment-reminder.renderer.js';
import { createAppointmentLinkSigner } from '../../src/domain/booking/appointment-links.js';
import { createTestCertificateServices } from './certificates.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const log = createLogger({ level: 'silent' });
const db = createDatabaseClient({ url: env('DATABASE_URL'), poolSize: 4 });
const redis = createWorkerConnection(env('REDIS_URL'));
const prefix = env('REDIS_PREFIX');
const line = createLineGateway({
  client: new messagingApi.MessagingApiClient({ channelAccessToken: env('LINE_CHANNEL_ACCESS_TOKEN'), baseURL: env('LINE_API_BASE_URL') }),
  messages: createMessageTransport({ baseUrl: env('LINE_API_BASE_URL'), channelAccessToken: env('LINE_CHANNEL_ACCESS_TOKEN') }),
  log,
});
const key = Buffer.alloc(32, 7);
const services = {
  rootDb: db,
  cipher: createPersonalDataCipher({ hashKey: key, encryptionKey: key }),
  register: new PostgresPopulationRegister(db),
  identityLimiter: createRedisRateLimiter({ redis, prefix, limit: 10, windowSeconds: 3600 }),
  settings: { consentVersion: 'test', exportLinkTtlMinutes: 15, publicBaseUrl: 'http://localhost:3000' },
  appointmentLinks: createAppointmentLinkSigner(key),
  certificates: await createTestCertificateServices(key),
};
const settings = {
  pushRatePerSecond: 100,
  concurrency: 4,
  maxAttempts: 8,
  lockDurationMs: Number(process.env.LOCK_DURATION_MS ?? 1_000),
  stalledIntervalMs: Number(process.env.STALLED_INTERVAL_MS ?? 500),
};
const pacer = createPushPacer({ redis, prefix, ratePerSecond: settings.pushRatePerSecond });
const sender = createNotificationSender({ db, line, renderers: createNotificationRenderers({ loadAppointmentView: createBatchedAppointmentViewLoader(db) }), services, pacer, settings, now: () => new Date(Number(env('NOW_MS'))), log });
const worker = createNotificationWorker({ connection: redis, prefix: queuePrefix(prefix), sender, settings, log });
await worker.waitUntilReady();
process.stdout.write('ready\n');
