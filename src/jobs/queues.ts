/**
 * Queue names, their Redis key prefix, and the Redis connections BullMQ needs. Producers (the
 * webhook) fail fast when Redis is down, so the webhook can answer 503; workers wait for Redis
 * forever. Both connect to one Redis, or to a Redis Cluster when REDIS_CLUSTER_NODES is set.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

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

/** One Redis server, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** A seed node of a Redis Cluster (the client finds the others itself). */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * The BullMQ `prefix` of every queue, worker and flow: REDIS_PREFIX as a Redis Cluster hash
 * tag, `{morprom}`. BullMQ's scripts touch several keys of a queue at once (a flow's also the
 * parent's keys in another queue), which a Redis Cluster only runs when they share a hash
 * slot; with a tag, Redis hashes only the text between the braces, so every queue key of one
 * environment lands in one slot. One tag for all queues, not one per queue: the busy queue
 * (line-events) is one slot whatever we do, and flows need their queues together. The keys
 * outside BullMQ (rate limits, the push pacer) are each used alone and stay untagged under
 * REDIS_PREFIX, so they spread over the cluster.
 */
export function queuePrefix(redisPrefix: string): string {
  // A brace inside would change which part of the key Redis hashes.
  if (/[{}]/.test(redisPrefix)) throw new Error(`a Redis prefix cannot contain braces: ${redisPrefix}`);
  return `{${redisPrefix}}`;
}

/** A connection for queues that add jobs from a request path: no offline queue, few retries. */
export function createProducerConnection(url: string, clusterNodes?: readonly RedisNode[]): RedisClient {
  if (clusterNodes?.length) {
    return new Cluster([...clusterNodes], { enableOfflineQueue: false, redisOptions: { ...clusterNodeOptions(url), maxRetriesPerRequest: 1, connectTimeout: 2_000 } });
  }
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
}

/** A connection for workers: BullMQ requires maxRetriesPerRequest null for blocking commands. */
export function createWorkerConnection(url: string, clusterNodes?: readonly RedisNode[]): RedisClient {
  if (clusterNodes?.length) {
    // BullMQ reads a cluster's per-node options (redisOptions) for this check.
    return new Cluster([...clusterNodes], { redisOptions: { ...clusterNodeOptions(url), maxRetriesPerRequest: null } });
  }
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** What REDIS_URL still says in cluster mode: the credentials and TLS of every node (not the host). */
function clusterNodeOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Completed jobs are removed quickly: deduplication lives in PostgreSQL, not in Redis. */
export const defaultJobOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
