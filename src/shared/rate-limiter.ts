/**
 * Fixed-window rate limiter in Redis (INCR + EXPIRE in one round trip). Used for identity
 * attempts: the ID checksum passes about 1 random number in 10, so guessing must be slow.
 *
 * Redis Cluster: the transaction touches one key, so it always runs within one slot. The key
 * has no hash tag on purpose: the counters of many users spread over the cluster.
 */
import type { Cluster, Redis } from 'ioredis';

export interface RateLimiter {
  /** Counts one attempt; false when the key is over its limit in the current window. */
  consume(key: string): Promise<boolean>;
}

export function createRedisRateLimiter(options: {
  redis: Redis | Cluster;
  /** REDIS_PREFIX as it is (not the queues' hash tag). */
  prefix: string;
  limit: number;
  windowSeconds: number;
}): RateLimiter {
  const { redis, prefix, limit, windowSeconds } = options;
  return {
    async consume(key) {
      const window = Math.floor(Date.now() / 1000 / windowSeconds);
      const redisKey = `${prefix}:rl:${key}:${window}`;
      const results = await redis.multi().incr(redisKey).expire(redisKey, windowSeconds).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return count <= limit;
    },
  };
}
