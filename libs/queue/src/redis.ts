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

/** Where Redis is: REDIS_URL, or the primary the sentinels name (they follow a failover). */
export type RedisTarget = string | { url: string; sentinels?: { hosts: { host: string; port: number }[]; name: string; password?: string }; password?: string; tls?: boolean };

/** The target as ioredis options: the URL's, or the sentinels' (`sentinels`, `name`), with the passwords and TLS. */
export function targetOptions(target: RedisTarget): RedisOptions {
  if (typeof target === 'string') return urlOptions(target);
  const common: RedisOptions = { ...(target.password && { password: target.password }), ...(target.tls && { tls: {} }) };
  if (!target.sentinels) return { ...urlOptions(target.url), ...common };
  const { hosts, name, password } = target.sentinels;
  return { sentinels: hosts, name, ...(password && { sentinelPassword: password }), ...(target.tls && { sentinelTLS: {}, enableTLSForSentinelMode: true }), ...common };
}

/** A redis:// or rediss:// URL as options (host, port, database, user and password, TLS). */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.pathname.length > 1 && { db: Number(parsed.pathname.slice(1)) }),
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
  };
}

export function createRedis(target: RedisTarget, purpose: 'worker' | 'client'): IORedis {
  return new IORedis({ ...targetOptions(target), ...redisOptions(purpose) });
}

/**
 * At boot, with sentinels: that one of them knows a primary by REDIS_SENTINEL_NAME (a typo would
 * otherwise leave the process waiting for Redis for ever). Undefined when it does, else the problem.
 */
export async function sentinelProblem(target: RedisTarget, timeoutMs = 5000): Promise<string | undefined> {
  if (typeof target === 'string' || !target.sentinels) return undefined;
  const { hosts, name, password } = target.sentinels;
  for (const { host, port } of hosts) {
    const sentinel = new IORedis({
      host,
      port,
      ...(password && { password }),
      ...(target.tls && { tls: {} }),
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await sentinel.connect();
      const primary = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
      if (primary) return undefined;
      return `REDIS_SENTINEL_NAME=${name}: the sentinel at ${host}:${port} (REDIS_SENTINELS) knows no primary of that name`;
    } catch {
      // The next sentinel may answer.
    } finally {
      sentinel.disconnect();
    }
  }
  return `REDIS_SENTINELS: none of ${hosts.map((h) => `${h.host}:${h.port}`).join(', ')} answered as a sentinel`;
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
export function bullConnection(target: RedisTarget): ConnectionOptions {
  return {
    ...targetOptions(target),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(times * 200, 5000),
  };
}
