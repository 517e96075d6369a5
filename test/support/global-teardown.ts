import 'tsconfig-paths/register'; // globalSetup runs outside Jest's module mapper
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { dropDatabase, dropRole, roleOf } from '@app/database';

/** Drops the run's database and deletes its Redis keys. Runs once, after the last project. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.MIGRATION_DATABASE_URL;
  const appUrl = process.env.DATABASE_URL;
  const prefix = process.env.QUEUE_PREFIX;
  if (!process.env.TEST_RUN_ID || !url || !appUrl || !prefix || process.env.TEST_RUN_TORN_DOWN) return;
  process.env.TEST_RUN_TORN_DOWN = '1';
  if (process.env.KEEP_TEST_DATABASE !== '1') {
    await dropDatabase(url);
    // The run's app role, once the databases granting it anything are gone.
    await dropRole(url, roleOf(appUrl));
  }
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    // The run's own keys, and those of test files with a prefix of their own (`<prefix>_crash`).
    for (const pattern of [`${prefix}:*`, `${prefix}_*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  rmSync(join(__dirname, '.run.json'), { force: true });
}
