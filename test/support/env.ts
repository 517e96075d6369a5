import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// This worker's own database and queue prefix, from global-setup (in band, Jest's process is worker 1).
const run = JSON.parse(readFileSync(join(__dirname, '.run.json'), 'utf8')) as {
  workers: Record<string, { DATABASE_URL: string; MIGRATION_DATABASE_URL: string; QUEUE_PREFIX: string }>;
  clockOffsetMs: number;
};
const worker = process.env.JEST_WORKER_ID ?? '1';
const services = run.workers[worker];
if (!services) throw new Error(`test: global-setup made no database for Jest worker ${worker} (it made ${Object.keys(run.workers).join(', ')})`);
process.env.DATABASE_URL = services.DATABASE_URL;
// The tables' owner: for test code that must do what the apps' role may not (see ownerDataSource).
process.env.MIGRATION_DATABASE_URL = services.MIGRATION_DATABASE_URL;
process.env.QUEUE_PREFIX = services.QUEUE_PREFIX;
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
// supertest and the browser connect from 127.0.0.1: its X-Forwarded-For stands for the client.
process.env.TRUST_PROXY = 'loopback';
process.env.DATABASE_POOL_SIZE = '5';
// Several workers in one run (tests start two): each serves its metrics on a port of its own.
process.env.WORKER_METRICS_PORT ??= '0';
// Tests write far faster than people: each person's write allowance is raised (write-limits.e2e-spec checks the real one).
process.env.WRITE_RATE_PER_SECOND ??= '1000';
process.env.WRITE_BURST ??= '5000';
// Reads likewise (read-limits.e2e-spec sets them low and sees the 429).
process.env.ANONYMOUS_READS_PER_MINUTE ??= '100000';
process.env.EXPENSIVE_READS_PER_MINUTE ??= '100000';
// Every process of the run (Jest's workers, a worker process a test starts) moves its clock by
// the same amount: `npm run test:calendar` sets it, the system clock does the rest.
delete process.env.CLOCK_START;
if (run.clockOffsetMs) process.env.CLOCK_OFFSET_MS = String(run.clockOffsetMs);
else delete process.env.CLOCK_OFFSET_MS;
// The run's admin has a password of its own: the development default would have to be changed at first sign-in.
process.env.ADMIN_PASSWORD ??= 'cocommission-test-admin-password';
