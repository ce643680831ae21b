/**
 * The service's BullMQ job schedulers (the maintenance sweep, the notification dispatcher).
 * They live in Redis: a Redis restarted without persistence, or a failover to a replica that
 * had not caught up, comes back without them, and nothing would run them again. So they are
 * upserted at start-up and again every time the connection becomes ready, and readiness
 * reports any that is missing (an upsert is idempotent: it keeps the existing schedule).
 */
import type { Queue } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import { defaultJobOptions, type RedisClient } from './queues.js';

export interface JobSchedulerSpec {
  queue: Queue;
  /** Scheduler id, also the name of the jobs it makes. */
  id: string;
  everyMs: number;
}

export interface JobSchedulers {
  /** Upserts every scheduler (start-up, and after each reconnect). */
  ensure(): Promise<void>;
  /** Throws naming the schedulers missing from Redis (readiness). */
  check(): Promise<void>;
}

export function createJobSchedulers(deps: { specs: JobSchedulerSpec[]; redis: RedisClient; log: Logger }): JobSchedulers {
  const { specs, log } = deps;
  const ensure = async () => {
    await Promise.all(specs.map((s) => s.queue.upsertJobScheduler(s.id, { every: s.everyMs }, { name: s.id, opts: defaultJobOptions })));
  };
  // ioredis emits 'ready' after every reconnect; the first one is start-up's own ensure().
  let connectedBefore = deps.redis.status === 'ready';
  deps.redis.on('ready', () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    ensure().then(
      () => log.info({ schedulers: specs.map((s) => s.id) }, 'Redis reconnected: job schedulers upserted'),
      (err: unknown) => log.warn({ err: err instanceof Error ? err.message : err }, 'Redis reconnected but the job schedulers could not be upserted; readiness reports it'),
    );
  });
  return {
    ensure,
    async check() {
      const found = await Promise.all(specs.map((s) => s.queue.getJobScheduler(s.id)));
      const missing = specs.filter((_, i) => !found[i]).map((s) => s.id);
      if (missing.length > 0) {
        // Heal while reporting: the next readiness probe passes if Redis takes the upsert.
        ensure().catch(() => undefined);
        throw new Error(`job schedulers missing: ${missing.join(', ')}`);
      }
    },
  };
}
