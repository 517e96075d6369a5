/** The daily run of the retention policy as a BullMQ job scheduler, upserted from code at start and hourly. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RetentionService } from '@app/data-protection';
import { RETENTION_JOB, RETENTION_QUEUE } from '@app/queue';
import { backgroundWorker } from './background-queue';
import { Relay } from './relay/relay';

/** The scheduler's id in Redis. */
export const RETENTION_SCHEDULER = 'daily-retention';

/** The cron pattern of RETENTION_TIME (HH:MM, UTC): every day at that minute. */
export const retentionPattern = (time: string): string => {
  const [hours, minutes] = time.split(':').map(Number);
  return `${minutes} ${hours} * * *`;
};

/**
 * The retention policy (docs/data-protection.md#retention) applied once a day by a BullMQ job
 * scheduler. Redis holds nothing that cannot be rebuilt: the scheduler is upserted from code at
 * start and every hour (a flush loses it for an hour at most), the policy lives in PostgreSQL, and
 * a run is idempotent (a second run the same day finds nothing to delete), so a retried or
 * doubled job does no harm.
 */
@Injectable()
export class RetentionWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private worker?: Worker;

  constructor(
    private readonly relay: Relay,
    private readonly retention: RetentionService,
    @InjectQueue(RETENTION_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'Scheduling the daily retention run', everyMs: 3_600_000, pass: () => this.schedule() });
    this.worker = backgroundWorker(RETENTION_QUEUE, (job) => this.run(job), this.config, this.logger);
  }

  /** The scheduler, as the configuration says (a changed RETENTION_TIME replaces the old pattern). */
  async schedule(): Promise<void> {
    await this.queue.upsertJobScheduler(
      RETENTION_SCHEDULER,
      { pattern: retentionPattern(this.config.privacy.retentionTime), tz: 'UTC' },
      {
        name: RETENTION_JOB.apply,
        data: {},
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 86400 } },
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async run(job: Job): Promise<unknown> {
    if (job.name !== RETENTION_JOB.apply) throw new Error(`No handler for retention job "${job.name}"`);
    return this.retention.apply();
  }
}
