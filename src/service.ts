/**
 * Wires the service from parsed settings: clients → domain services → HTTP app and/or
 * workers (by ROLE). main.ts and the integration tests both start the service this way,
 * so tests run the real thing. `close()` shuts down gracefully: stop accepting requests,
 * let active jobs finish, then close Redis and PostgreSQL.
 */
import { createAlternativesCache } from './domain/booking/alternatives-cache.js';
import type { Server } from 'node:http';
import { createHttpServer } from './http/http-server.js';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { Queue, Worker } from 'bullmq';
import { messagingApi } from '@line/bot-sdk';
import type { Env } from './config/env.js';
import { createDatabaseClient } from './db/client.js';
import { createUserLocks } from './db/user-lock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createPersonalDataCipher } from './shared/personal-data.js';
import { createRedisRateLimiter } from './shared/rate-limiter.js';
import { createLineGateway } from './line/line-gateway.js';
import { createOutboundDelivery } from './line/outbound-delivery.js';
import { richMenuDefinitions } from './line/rich-menus/definitions.js';
import { PostgresPopulationRegister } from './db/repositories/population-register.repository.js';
import { createBotEngine } from './bot/engine.js';
import { allFlows } from './bot/flows/index.js';
import { createEventIntake, createLineEventsProcessor, type LineEventJob } from './jobs/line-events.js';
import { createEventDrainer } from './jobs/drain-users.js';
import { createProducerConnection, createWorkerConnection, defaultJobOptions, queueNames, queuePrefix, type RedisClient } from './jobs/queues.js';
import { runMaintenanceSweep } from './jobs/maintenance.js';
import { createJobSchedulers, type JobSchedulerSpec } from './jobs/job-schedulers.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dispatchDueNotifications, type DispatchSettings, type NotificationJob } from './jobs/notification-dispatch.js';
import { createNotificationSender, createNotificationWorker, type NotificationSenderSettings } from './jobs/notifications.js';
import { createPushPacer } from './jobs/push-pacer.js';
import { createMessageTransport } from './line/message-transport.js';
import { createNotificationRenderers } from './notifications/renderers.js';
import { createBatchedAppointmentViewLoader } from './notifications/appointment-reminder.renderer.js';
import { createBatchedCheckinLoader } from './domain/follow-up/load-checkin.js';
import { createBatchedCheckinSendMarks } from './domain/follow-up/checkin-send-marks.js';
import { createApp } from './http/app.js';
import { createWebhookHandler } from './http/webhook.route.js';
import { createExportsRouter } from './http/exports.route.js';
import { createAdminRouter } from './http/admin.route.js';
import { createAppointmentLinksRouter } from './http/appointment-links.route.js';
import { createAppointmentLinkSigner, deriveAppointmentLinkKey } from './domain/booking/appointment-links.js';
import { loadCertificateKeys } from './domain/certificates/certificate-keys.js';
import { createCertificateLinkSigner, deriveCertificateLinkKey } from './domain/certificates/certificate-links.js';
import { createCertificatesRouter } from './http/certificates.route.js';
import { createAdminVaccinationsRouter } from './http/admin-vaccinations.route.js';
import { createAdminAefiRouter } from './http/admin-aefi.route.js';
import { configureFollowUpProfile } from './domain/follow-up/follow-up-schedule.js';

export interface ServiceOptions {
  log?: Logger;
  /** Injected clock for tests. */
  now?: () => Date;
  /** How often the maintenance sweep runs (ms). */
  sweepEveryMs?: number;
  /** More routes for the web server, e.g. the emulator's chat UI in emulator mode. */
  extraRouters?: Router[];
  /** Run the notification dispatcher and sender with the workers (default true). */
  notifications?: boolean;
  /** Overrides of the dispatcher's and sender's tuning (tests: short backoff and stall lock). */
  notificationTuning?: { dispatch?: Partial<DispatchSettings>; sender?: Partial<NotificationSenderSettings> };
}

export interface RunningService {
  /** Base URL of the HTTP server (absent for ROLE=worker). */
  url?: string;
  /** Runs one notification dispatch pass now, with the service's clock (tests). */
  dispatchNotifications(): Promise<{ queued: number; redriven: number }>;
  close(): Promise<void>;
}

/** Settings the service needs once emulator mode has filled in the LINE credentials. */
export type ServiceEnv = Env & { LINE_CHANNEL_SECRET: string; LINE_CHANNEL_ACCESS_TOKEN: string };

function waitUntilReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export async function startService(env: ServiceEnv, options: ServiceOptions = {}): Promise<RunningService> {
  const log = options.log ?? createLogger({ level: env.LOG_LEVEL });
  const now = options.now ?? (() => new Date());
  const runWeb = env.ROLE !== 'worker';
  const runWorkers = env.ROLE !== 'web';
  // Which symptom follow-up schedule recordDose plans (issue 6).
  configureFollowUpProfile(env.FOLLOW_UP_PROFILE);

  // A database restart or failover drops connections: logged, never fatal (queries fail and retry).
  const onConnectionError = (err: Error) => log.warn({ err: err.message, code: (err as { code?: string }).code }, 'PostgreSQL connection lost');
  const db = createDatabaseClient({ url: env.DATABASE_URL, poolSize: runWorkers ? env.WORKER_CONCURRENCY + 10 : 20, onConnectionError });
  const producerRedis = createProducerConnection(env.REDIS_URL, env.REDIS_CLUSTER_NODES);
  producerRedis.on('error', (err) => log.warn({ err: err.message }, 'redis (producer) error'));
  const queueOptions = { connection: producerRedis, prefix: queuePrefix(env.REDIS_PREFIX), defaultJobOptions };
  const lineEventsQueue = new Queue<LineEventJob>(queueNames.lineEvents, queueOptions);
  const outboundQueue = new Queue<{ lineUserId: string }>(queueNames.outbound, queueOptions);
  const maintenanceQueue = new Queue(queueNames.maintenance, queueOptions);
  const notificationsQueue = new Queue<NotificationJob>(queueNames.notifications, queueOptions);
  const notificationDispatchQueue = new Queue(queueNames.notificationDispatch, queueOptions);
  for (const queue of [lineEventsQueue, outboundQueue, maintenanceQueue, notificationsQueue, notificationDispatchQueue]) {
    queue.on('error', (err) => log.warn({ queue: queue.name, err: err.message }, 'queue error'));
  }
  // Start answering with Redis connected when it is there; a Redis that is down at boot is
  // not fatal (the webhook answers 503 until it is back).
  await waitUntilReady(producerRedis, 2_000);

  const cipher = createPersonalDataCipher({ hashKey: env.ID_HASH_KEY, encryptionKey: env.ID_ENCRYPTION_KEY });
  const appointmentLinks = createAppointmentLinkSigner(env.APPOINTMENT_LINK_KEY ?? deriveAppointmentLinkKey(env.ID_HASH_KEY));
  const certificates = { keys: await loadCertificateKeys(env, log), links: createCertificateLinkSigner(deriveCertificateLinkKey(env.ID_HASH_KEY)) };
  const lineClient = new messagingApi.MessagingApiClient({ channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN, baseURL: env.LINE_API_BASE_URL });
  const lineMessages = createMessageTransport({ baseUrl: env.LINE_API_BASE_URL, channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN });
  const line = createLineGateway({ client: lineClient, messages: lineMessages, log });
  const dispatchSettings: Partial<DispatchSettings> = {
    lookaheadMs: env.NOTIFICATION_LOOKAHEAD_MS,
    sendBatchSize: env.NOTIFICATION_SEND_BATCH_SIZE,
    jobAttempts: env.NOTIFICATION_MAX_ATTEMPTS + 5,
    ...options.notificationTuning?.dispatch,
  };
  const dispatchNotifications = () => dispatchDueNotifications({ db, queue: notificationsQueue, now: now(), settings: dispatchSettings, log });

  const closers: Array<() => Promise<unknown>> = [];
  const schedulerSpecs: JobSchedulerSpec[] = [];
  const schedulers = createJobSchedulers({ specs: schedulerSpecs, redis: producerRedis, log });
  let shuttingDown = false;
  let server: Server | undefined;
  let url: string | undefined;

  if (runWorkers) {
    const workerRedis = createWorkerConnection(env.REDIS_URL, env.REDIS_CLUSTER_NODES);
    workerRedis.on('error', (err) => log.warn({ err: err.message }, 'redis (worker) error'));
    // The same collaborators for chat flows and for notifications rendered at send time.
    const botServices = {
      cipher,
      rootDb: db,
      register: new PostgresPopulationRegister(db),
      identityLimiter: createRedisRateLimiter({ redis: workerRedis, prefix: env.REDIS_PREFIX, limit: env.IDENTITY_ATTEMPTS_PER_HOUR, windowSeconds: 3600 }),
      settings: { consentVersion: env.CONSENT_VERSION, exportLinkTtlMinutes: env.EXPORT_LINK_TTL_MINUTES, publicBaseUrl: env.PUBLIC_BASE_URL },
      appointmentLinks,
      certificates,
      ...(env.BOOKING_ALTERNATIVES_CACHE_MS > 0 ? { bookingAlternatives: createAlternativesCache({ ttlMs: env.BOOKING_ALTERNATIVES_CACHE_MS }) } : {}),
    };
    const engine = createBotEngine({
      flows: allFlows,
      sessionTtlMinutes: env.SESSION_TTL_MINUTES,
      services: botServices,
    });
    const richMenuAliases = Object.fromEntries(Object.entries(richMenuDefinitions).map(([key, def]) => [key, def.alias]));
    const delivery = createOutboundDelivery({ db, line, log, richMenuAliases, now });
    // At most one retry job per user waiting at a time (BullMQ deduplication, released when the
    // job ends); it delivers the user's whole outbox in order.
    const scheduleDeliveryRetry = async (lineUserId: string) => {
      await outboundQueue.add('deliver', { lineUserId }, { deduplication: { id: `out-${lineUserId}` }, attempts: 10, backoff: { type: 'exponential', delay: 1_000 } });
    };
    // One lock connection per job that can run at once: line-events rounds (WORKER_CONCURRENCY)
    // and outbound retries (half as many), plus two for maintenance. See docs/SCALING.md for
    // the connection budget of a process.
    const locks = createUserLocks({ databaseUrl: env.DATABASE_URL, maxConnections: env.WORKER_CONCURRENCY + Math.ceil(env.WORKER_CONCURRENCY / 2) + 2, onConnectionError });
    const drainer = createEventDrainer({ db, engine, cipher, delivery, locks, scheduleDeliveryRetry, replyTokenTtlSeconds: env.REPLY_TOKEN_TTL_SECONDS, log, now });

    // The name is kept on every job a worker processes (BullMQ's processedBy): which process did what.
    const workerOptions = { connection: workerRedis, prefix: queuePrefix(env.REDIS_PREFIX), name: `${hostname()}:${process.pid}` };
    const eventsWorker = new Worker<LineEventJob>(queueNames.lineEvents, createLineEventsProcessor({ drainer, queue: lineEventsQueue }), {
      ...workerOptions,
      concurrency: env.WORKER_CONCURRENCY,
    });
    const outboundWorker = new Worker<{ lineUserId: string }>(
      queueNames.outbound,
      (job) => locks.withUserLock(job.data.lineUserId, (lock) => delivery.deliverPendingOf(job.data.lineUserId, lock)),
      { ...workerOptions, concurrency: Math.max(1, Math.floor(env.WORKER_CONCURRENCY / 2)) },
    );
    const maintenanceWorker = new Worker(
      queueNames.maintenance,
      (job) => runMaintenanceSweep({ db, lineEventsQueue, scheduleDeliveryRetry, now: now(), log, allClaims: job.name === 'sweep-at-start' }),
      { ...workerOptions, concurrency: 1 },
    );
    schedulerSpecs.push({ queue: maintenanceQueue, id: 'sweep', everyMs: options.sweepEveryMs ?? 30_000 });
    for (const w of [eventsWorker, outboundWorker, maintenanceWorker]) {
      w.on('failed', (job, err) => log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
      w.on('error', (err) => log.warn({ queue: w.name, err: err.message }, 'worker error'));
    }
    if (options.notifications !== false) {
      // Notifications: the dispatcher (a job scheduler, one pass at a time across processes)
      // queues due rows; the sender pushes them under the global rate limit.
      const senderSettings: NotificationSenderSettings = {
        pushRatePerSecond: env.PUSH_RATE_PER_SECOND,
        concurrency: env.NOTIFICATION_CONCURRENCY,
        maxAttempts: env.NOTIFICATION_MAX_ATTEMPTS,
        ...options.notificationTuning?.sender,
      };
      const renderers = createNotificationRenderers({
        loadAppointmentView: createBatchedAppointmentViewLoader(db),
        checkins: { load: createBatchedCheckinLoader(db), marks: createBatchedCheckinSendMarks(db) },
      });
      const pacer = createPushPacer({ redis: workerRedis, prefix: env.REDIS_PREFIX, ratePerSecond: senderSettings.pushRatePerSecond });
      const sender = createNotificationSender({ db, line, renderers, services: botServices, pacer, settings: senderSettings, now, log });
      const notificationWorker = createNotificationWorker({ connection: workerRedis, prefix: queuePrefix(env.REDIS_PREFIX), sender, settings: senderSettings, log });
      const dispatchWorker = new Worker(queueNames.notificationDispatch, () => dispatchNotifications(), { ...workerOptions, concurrency: 1 });
      dispatchWorker.on('error', (err) => log.warn({ queue: dispatchWorker.name, err: err.message }, 'worker error'));
      schedulerSpecs.push({ queue: notificationDispatchQueue, id: 'dispatch', everyMs: env.NOTIFICATION_DISPATCH_EVERY_MS });
      closers.push(() => Promise.all([notificationWorker.close(), dispatchWorker.close()]));
    }
    await schedulers.ensure();
    // A process that starts (or restarts after a crash) re-drives what a dead one left at once:
    // an answer claimed but never confirmed must be settled while its reply token is fresh.
    await maintenanceQueue.add('sweep-at-start', {}, { ...defaultJobOptions, jobId: `sweep-at-start-${randomUUID()}` });
    // Workers close first (they finish their active jobs), then their connection.
    closers.push(async () => {
      await Promise.all([eventsWorker.close(), outboundWorker.close(), maintenanceWorker.close()]);
      await workerRedis.quit().catch(() => workerRedis.disconnect());
      await locks.close();
    });
  }

  if (runWeb) {
    const intake = createEventIntake({ db, queue: lineEventsQueue, cipher, queueReady: () => producerRedis.status === 'ready' });
    const app = createApp({
      log,
      isShuttingDown: () => shuttingDown,
      readiness: {
        postgres: () => db.$queryRaw`SELECT 1`,
        redis: () => producerRedis.ping(),
        ...(schedulerSpecs.length > 0 ? { schedulers: () => schedulers.check() } : {}),
      },
      webhook: createWebhookHandler({ channelSecret: env.LINE_CHANNEL_SECRET, intake, log }),
      routers: [
        createExportsRouter({ db, cipher }),
        // Before the slots admin router: its catch-all answers 404 for every other /admin path.
        createAdminVaccinationsRouter({ db, cipher, certificateKeys: certificates.keys, adminToken: env.ADMIN_TOKEN, log, now }),
        createAdminAefiRouter({ db, adminToken: env.ADMIN_TOKEN, now }),
        createAdminRouter({ db, adminToken: env.ADMIN_TOKEN, log, now }),
        createCertificatesRouter({ db, certificates, log, now }),
        createAppointmentLinksRouter({ db, links: appointmentLinks, now }),
        ...(options.extraRouters ?? []),
      ],
    });
    server = createHttpServer(app, { headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(env.PORT, () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `http://127.0.0.1:${address.port}`;
    log.info({ url, role: env.ROLE }, 'HTTP server listening');
  }

  return {
    url,
    dispatchNotifications,
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info('shutting down: no new requests, finishing active jobs');
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      for (const close of closers) await close();
      await Promise.all([lineEventsQueue.close(), outboundQueue.close(), maintenanceQueue.close(), notificationsQueue.close(), notificationDispatchQueue.close()]);
      await producerRedis.quit().catch(() => producerRedis.disconnect());
      await lineMessages.close();
      await db.$disconnect();
      log.info('shutdown complete');
    },
  };
}
