import 'tsconfig-paths/register'; // globalSetup runs outside Jest's module mapper
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { dropDatabase, dropRole, roleOf } from '@app/database';
import type { WorkerServices } from './global-setup';

/** Drops the run's databases (one a worker) and deletes its Redis keys. Runs once, after the last project. */
export default async function globalTeardown(): Promise<void> {
  const prefix = process.env.TEST_RUN_PREFIX;
  if (!process.env.TEST_RUN_ID || !prefix || !process.env.TEST_RUN_WORKERS || process.env.TEST_RUN_TORN_DOWN) return;
  process.env.TEST_RUN_TORN_DOWN = '1';
  const workers = Object.values(JSON.parse(process.env.TEST_RUN_WORKERS) as Record<string, WorkerServices>);
  if (process.env.KEEP_TEST_DATABASE !== '1') {
    for (const services of workers) await dropDatabase(services.MIGRATION_DATABASE_URL);
    // The run's app role, once the databases granting it anything are gone.
    await dropRole(workers[0].MIGRATION_DATABASE_URL, roleOf(workers[0].DATABASE_URL));
  }
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    // Every worker's keys (`<prefix>_<worker>:…`), and those of test files with a prefix of their own (`<prefix>_<worker>_crash`).
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}_*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  rmSync(join(__dirname, '.run.json'), { force: true });
}
