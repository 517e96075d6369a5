import 'tsconfig-paths/register'; // globalSetup runs outside Jest's module mapper
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import { migrate } from '@app/database';

/** What a Jest worker's suites use: a database and a Redis key prefix of its own. */
export interface WorkerServices {
  DATABASE_URL: string;
  MIGRATION_DATABASE_URL: string;
  QUEUE_PREFIX: string;
}

/**
 * One database and one Redis key prefix per Jest worker of a test run, so that runs never touch
 * each other or a running service, and two suites running at once never relay each other's
 * outboxes (emails, webhook deliveries) or settle each other's jobs. The names reach the workers
 * through a file (env.ts picks its worker's by JEST_WORKER_ID) and this process's env (teardown).
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  if (process.env.TEST_RUN_ID) return; // both service projects share one run
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.TEST_RUN_ID = id;
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  // The apps connect as a role of the run's own, which owns nothing (roles are the cluster's:
  // another run's is another name; global-teardown drops it); migrations as the base URL's role.
  const app = new URL(base);
  app.username = `cocommission_app_${id}`;
  app.password = '';
  // In band (one worker, or --runInBand) Jest's own process is worker 1.
  const workers: Record<string, WorkerServices> = {};
  for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker += 1) {
    const owner = new URL(base);
    owner.pathname = `/cocommission_${id}_${worker}`;
    const appUrl = new URL(app);
    appUrl.pathname = owner.pathname;
    workers[worker] = { MIGRATION_DATABASE_URL: owner.toString(), DATABASE_URL: appUrl.toString(), QUEUE_PREFIX: `cocommission_${id}_${worker}` };
  }
  process.env.TEST_RUN_PREFIX = `cocommission_${id}`;
  process.env.TEST_RUN_WORKERS = JSON.stringify(workers);
  // `npm run test:calendar` runs the suite as if it were another moment: every process's clock
  // is moved by the same amount, so they agree with each other to the millisecond.
  const clockStart = process.env.TEST_CLOCK_START;
  const clockOffsetMs = clockStart ? Date.parse(clockStart) - Date.now() : 0;
  if (Number.isNaN(clockOffsetMs)) throw new Error(`TEST_CLOCK_START=${clockStart} is not an ISO 8601 instant`);
  // One after the other: the app's role is created by the first and granted on each.
  for (const services of Object.values(workers)) await migrate(services.MIGRATION_DATABASE_URL, { appUrl: services.DATABASE_URL });
  writeFileSync(join(__dirname, '.run.json'), JSON.stringify({ id, workers, clockOffsetMs }));
}
