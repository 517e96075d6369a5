/** The milestone queue's worker: every job name has its handler, or this does not compile. */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { MilestoneJobsService } from '@app/milestones';
import { ReorganisationJobsService } from '@app/reorganisation';
import { FireJobData, JOB, JobName, MILESTONE_QUEUE, RemindJobData, SucceedJobData, bullConnection } from '@app/queue';
import { measured } from './background-queue';

type Handlers = { [N in JobName]: (job: Job) => Promise<unknown> };

/** Runs the milestone queue's jobs. Every job name has a handler, or this does not compile. */
@Injectable()
export class MilestoneWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MilestoneWorker');
  private worker?: Worker;

  private readonly handlers: Handlers = {
    [JOB.fire]: (job) => this.fire(job as Job<FireJobData>),
    [JOB.remind]: (job) => this.jobs.remind((job as Job<RemindJobData>).data),
    // An organisation's succession on its date (libs/reorganisation): retried like a milestone, carried out once.
    [JOB.succeed]: (job) => this.successions.carryOut((job as Job<SucceedJobData>).data),
  };

  constructor(
    private readonly jobs: MilestoneJobsService,
    private readonly successions: ReorganisationJobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { worker } = this.config;
    this.worker = new Worker(
      MILESTONE_QUEUE,
      measured(MILESTONE_QUEUE, (job: Job) => this.handle(job)),
      {
        connection: bullConnection(this.config.redis),
        prefix: this.config.redis.prefix,
        concurrency: worker.concurrency,
        lockDuration: worker.lockDurationMs,
        stalledInterval: worker.stalledIntervalMs,
        maxStalledCount: 5,
        removeOnComplete: { count: 0 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
    this.worker.on('error', (error) => this.logger.warn(`Worker connection: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    // Finishes the jobs in hand, takes no new ones.
    await this.worker?.close();
  }

  private handle(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new Error(`No handler for job "${job.name}"`);
    return handler(job);
  }

  private async fire(job: Job<FireJobData>): Promise<string> {
    try {
      return await this.jobs.fire(job.data);
    } catch (error) {
      const attempts = job.attemptsMade + 1;
      if (attempts >= (job.opts.attempts ?? 1)) {
        await this.jobs.recordFailure(job.data, (error as Error).message, attempts);
      }
      throw error;
    }
  }
}
