/** What the background queues' workers and jobs share: stall settings, fixed ids and retries with backoff. */
import { Logger } from '@nestjs/common';
import { Job, JobsOptions, Worker } from 'bullmq';
import type { AppConfig } from '@app/config';
import { bullConnection } from '@app/queue';
import { jobDuration } from '@app/http';

/** A BullMQ worker for one of the background queues (mail, webhooks), with the stall settings every worker shares. */
export function backgroundWorker(queue: string, process: (job: Job, token?: string) => Promise<unknown>, config: AppConfig, logger: Logger): Worker {
  const worker = new Worker(queue, measured(queue, process), {
    connection: bullConnection(config.redis),
    prefix: config.redis.prefix,
    concurrency: 20,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.stalledIntervalMs,
    maxStalledCount: 5,
  });
  worker.on('error', (error) => logger.warn(`${queue} worker connection: ${error.message}`));
  return worker;
}

/** A queue's job handler timed in the metrics (`cocommission_job_duration_seconds`), by queue and outcome. */
export function measured<A extends unknown[], R>(queue: string, process: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const stop = jobDuration.startTimer({ queue });
    try {
      const result = await process(...args);
      stop({ outcome: 'completed' });
      return result;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  };
}

/**
 * A job's options: its fixed id, its tries with exponential backoff, and kept a day once done so
 * that a later pass does not add it again under the same id.
 */
export const retriedJob = (jobId: string, attempts: number, backoffMs: number): JobsOptions => ({
  jobId,
  attempts,
  backoff: { type: 'exponential', delay: backoffMs },
  removeOnComplete: { age: 86400 },
  removeOnFail: { age: 7 * 86400 },
});
