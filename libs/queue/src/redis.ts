/** Redis connections as BullMQ's production guide asks, and the warning when Redis may evict its keys. */
import type { ConnectionOptions } from 'bullmq';
import IORedis, { RedisOptions } from 'ioredis';

/**
 * Connection options as BullMQ's production guide asks: workers and blocking connections need
 * `maxRetriesPerRequest: null`; retry with capped backoff forever so a Redis restart heals.
 */
export function redisOptions(purpose: 'worker' | 'client'): RedisOptions {
  return {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 5000),
    lazyConnect: false,
    // A client's commands sent in the same turn of the event loop go in one write (every write
    // request counts itself against its person's allowance: one round trip for all of them).
    enableAutoPipelining: purpose === 'client',
  };
}

export function createRedis(url: string, purpose: 'worker' | 'client'): IORedis {
  return new IORedis(url, redisOptions(purpose));
}

/**
 * BullMQ silently loses jobs when Redis evicts keys. Returns a warning text unless the policy
 * is `noeviction`, or undefined when all is well.
 */
export async function evictionPolicyWarning(redis: IORedis): Promise<string | undefined> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply?.[1];
  if (policy === 'noeviction') return undefined;
  return (
    `Redis maxmemory-policy is "${policy ?? 'unknown'}", not "noeviction": Redis may evict queue keys ` +
    'and scheduled work would then wait for the reconciler. Run: CONFIG SET maxmemory-policy noeviction'
  );
}

/** BullMQ's own connections (queues, workers), as its production guide asks. */
export function bullConnection(url: string): ConnectionOptions {
  return {
    url,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(times * 200, 5000),
  };
}
