import 'tsconfig-paths/register'; // globalSetup runs outside Jest's module mapper
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '@app/database';

/**
 * One database and one Redis key prefix per test run, so that runs never touch each other or a
 * running service. The names reach the test workers through a file (and this process's env).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_RUN_ID) return; // both service projects share one run
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/cocommission_${id}`;
  process.env.TEST_RUN_ID = id;
  // Migrations as the owner (the base URL's role); the apps as a role of the run's own, which owns
  // nothing (roles are the cluster's: another run's is another name; global-teardown drops it).
  process.env.MIGRATION_DATABASE_URL = base.toString();
  const app = new URL(base);
  app.username = `cocommission_app_${id}`;
  app.password = '';
  process.env.DATABASE_URL = app.toString();
  process.env.QUEUE_PREFIX = `cocommission_${id}`;
  // `npm run test:calendar` runs the suite as if it were another moment: every process's clock
  // is moved by the same amount, so they agree with each other to the millisecond.
  const clockStart = process.env.TEST_CLOCK_START;
  const clockOffsetMs = clockStart ? Date.parse(clockStart) - Date.now() : 0;
  if (Number.isNaN(clockOffsetMs)) throw new Error(`TEST_CLOCK_START=${clockStart} is not an ISO 8601 instant`);
  await migrate(process.env.MIGRATION_DATABASE_URL, { appUrl: process.env.DATABASE_URL });
  writeFileSync(
    join(__dirname, '.run.json'),
    JSON.stringify({ id, DATABASE_URL: process.env.DATABASE_URL, MIGRATION_DATABASE_URL: process.env.MIGRATION_DATABASE_URL, QUEUE_PREFIX: process.env.QUEUE_PREFIX, clockOffsetMs }),
  );
}
