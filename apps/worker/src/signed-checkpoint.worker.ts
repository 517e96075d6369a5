/** The daily signed checkpoint as a BullMQ job scheduler, caught up at start when the day is unsigned. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AuditSigningKey, SignedCheckpointsService } from '@app/cycles';
import { AUDIT_JOB, AUDIT_QUEUE, SignDayJobData, signDayJobId } from '@app/queue';
import { backgroundWorker } from './background-queue';
import { Relay } from './relay/relay';

/** The scheduler's id in Redis: 00:10 UTC every day. */
export const SIGN_DAY_SCHEDULER = 'daily-signed-checkpoint';
/** A start with today unsigned (the first start, a worker down at 00:10, Redis flushed) signs it this long after. */
export const CATCH_UP_DELAY_MS = 60_000;

/**
 * The daily signed checkpoint (docs/security.md) as a BullMQ job scheduler: durable in Redis,
 * upserted at every start and every hour (a flush loses it only until then), and idempotent per day (the day's
 * row is written once; a second run of the day finds it). Without a key nothing is signed.
 */
@Injectable()
export class SignedCheckpointWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SignedCheckpoints');
  private worker?: Worker;

  constructor(
    private readonly relay: Relay,
    private readonly checkpoints: SignedCheckpointsService,
    private readonly key: AuditSigningKey,
    @InjectQueue(AUDIT_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // A key that is set but unreadable stops the worker here, at once, rather than at 00:10.
    // Hourly, the scheduler upserted again: a Redis flushed while the worker runs loses it for an hour at most.
    if (this.key.get()) this.relay.register({ name: 'Scheduling the daily signed checkpoint', everyMs: 3_600_000, pass: () => this.schedule() });
    this.worker = backgroundWorker(AUDIT_QUEUE, (job) => this.run(job), this.config, this.logger);
  }

  /** The scheduler, and today's job when today is not signed yet. */
  async schedule(catchUpDelayMs = CATCH_UP_DELAY_MS): Promise<void> {
    await this.queue.upsertJobScheduler(
      SIGN_DAY_SCHEDULER,
      { pattern: '10 0 * * *', tz: 'UTC' },
      {
        name: AUDIT_JOB.signDay,
        data: {},
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 86400 } },
      },
    );
    const today = this.checkpoints.today();
    if (!(await this.checkpoints.day(today))) {
      await this.queue.add(AUDIT_JOB.signDay, { day: today } satisfies SignDayJobData, {
        jobId: signDayJobId(today),
        delay: catchUpDelayMs,
        attempts: 5,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: { age: 2 * 86400 },
        removeOnFail: { age: 7 * 86400 },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async run(job: Job): Promise<unknown> {
    if (job.name !== AUDIT_JOB.signDay) throw new Error(`No handler for audit job "${job.name}"`);
    const signed = await this.checkpoints.signDay((job.data as SignDayJobData).day);
    if (!signed) this.logger.error('AUDIT_SIGNING_KEY is unset: the day is not signed');
    return signed && { day: signed.day, chains: signed.chains };
  }
}
