/**
 * Queue names and the Redis connections BullMQ needs. Producers (the webhook) fail fast
 * when Redis is down, so the webhook can answer 503; workers wait for Redis forever.
 */
import { Redis } from 'ioredis';

export const queueNames = {
  /** "Process the pending events of user X": job data { sourceKey }. */
  lineEvents: 'line-events',
  /** Retry delivery of an outbox row: job data { outboundId }. */
  outbound: 'outbound',
  /** Periodic sweeps that re-drive work a crash left behind. */
  maintenance: 'maintenance',
  /** Rate-limited LINE pushes of planned notifications: job data { notificationId }. */
  notifications: 'notifications',
  /** The notification dispatcher's job scheduler (claims due rows, queues them). */
  notificationDispatch: 'notification-dispatch',
} as const;

/** A connection for queues that add jobs from a request path: no offline queue, few retries. */
export function createProducerConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
}

/** A connection for workers: BullMQ requires maxRetriesPerRequest null for blocking commands. */
export function createWorkerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Completed jobs are removed quickly: deduplication lives in PostgreSQL, not in Redis. */
export const defaultJobOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
