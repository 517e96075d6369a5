import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { loadConfig } from '@app/config';
import { MILESTONE_QUEUE, bullConnection } from '@app/queue';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { Reconciler } from '../../apps/worker/src/reconciler.pass';
import { OutboxRelay } from '../../apps/worker/src/outbox.relay';

/** Short real delays for tests: quick retries, quick relay, quick stalled-job recovery. */
export function fastWorkerEnvironment(): void {
  process.env.MILESTONE_ATTEMPTS ??= '2';
  process.env.MILESTONE_BACKOFF_MS ??= '100';
  process.env.RELAY_INTERVAL_MS ??= '50';
  process.env.WORKER_LOCK_DURATION_MS ??= '2000';
  process.env.WORKER_STALLED_INTERVAL_MS ??= '1000';
}

export interface TestWorker {
  app: INestApplicationContext;
  reconcile(): Promise<number>;
  drainOutbox(): Promise<number>;
  close(): Promise<void>;
}

/** The real worker module (BullMQ worker, outbox relay, reconciler) in this process. */
export async function createTestWorker(): Promise<TestWorker> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  await app.init();
  return {
    app,
    reconcile: () => app.get(Reconciler).reconcile(),
    drainOutbox: () => app.get(OutboxRelay).drain(),
    close: () => app.close(),
  };
}

/** Deletes every Redis key of the milestone queue, as a flush or a lost Redis would. */
export async function wipeQueueKeys(): Promise<number> {
  const config = loadConfig();
  const redis = new IORedis(config.redis.url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}:${MILESTONE_QUEUE}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export function testQueue(): Queue {
  const config = loadConfig();
  return new Queue(MILESTONE_QUEUE, { connection: bullConnection(config.redis), prefix: config.redis.prefix });
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
