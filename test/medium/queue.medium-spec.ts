import IORedis from 'ioredis';
import { loadConfig } from '@app/config';
import { createRedis, evictionPolicyWarning } from '@app/queue';

describe('Redis eviction policy check', () => {
  let redis: IORedis;
  beforeAll(() => {
    redis = createRedis(loadConfig().redis.url, 'client');
  });
  afterAll(() => redis.disconnect());

  it('reads the real server', async () => {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const warning = await evictionPolicyWarning(redis);
    if (policy === 'noeviction') expect(warning).toBeUndefined();
    else expect(warning).toContain(policy);
  });

  it('warns loudly unless the policy is noeviction', async () => {
    const fake = { config: async () => ['maxmemory-policy', 'allkeys-lru'] } as unknown as IORedis;
    expect(await evictionPolicyWarning(fake)).toMatch(/"allkeys-lru", not "noeviction"/);
  });
});
