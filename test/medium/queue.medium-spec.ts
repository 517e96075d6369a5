import IORedis from 'ioredis';
import { loadConfig } from '@app/config';
import { createRedis, evictionPolicyWarning } from '@app/queue';

describe('Redis eviction policy check', () => {
  let redis: IORedis;
  beforeAll(() => {
    redis = createRedis(loadConfig().redis, 'client');
  });
  afterAll(() => redis.disconnect());

  it('reads the real server', async () => {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const warning = await evictionPolicyWarning(redis);
    if (policy === 'noeviction') expect(warning).toBeUndefined();
    else expect(warning).toContain(policy);
  });

  it('sends a turn of the event loop’s commands together (one write for many requests’ counts)', async () => {
    await redis.ping();
    const key = `${loadConfig().redis.prefix}:pipelined-${Date.now()}`;
    const replies = [redis.incr(key), redis.incr(key), redis.incr(key)];
    expect(redis.autoPipelineQueueSize).toBe(3);
    expect(await Promise.all(replies)).toEqual([1, 2, 3]);
    await redis.del(key);
  });

  it('warns loudly unless the policy is noeviction', async () => {
    const fake = { config: async () => ['maxmemory-policy', 'allkeys-lru'] } as unknown as IORedis;
    expect(await evictionPolicyWarning(fake)).toMatch(/"allkeys-lru", not "noeviction"/);
  });
});
