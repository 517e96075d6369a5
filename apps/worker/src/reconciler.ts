import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { MilestoneJobsService } from '@app/milestones';
import { MILESTONE_QUEUE } from '@app/queue';
import { jobOf } from './outbox.relay';

/**
 * Rebuilds the schedule from PostgreSQL: every scheduled milestone gets its jobs (fixed ids make
 * existing ones no-ops; overdue ones fire at once). Runs at start and periodically, so a Redis
 * flush or restart loses nothing.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly jobs: MilestoneJobsService,
    @InjectQueue(MILESTONE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.reconcileLogged();
    this.timer = setInterval(() => {
      this.running = this.reconcileLogged();
    }, this.config.worker.reconcileIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Adds the jobs of every scheduled milestone; returns how many jobs it asked for. */
  async reconcile(): Promise<number> {
    let count = 0;
    for await (const messages of this.jobs.expectedJobs(1000)) {
      const now = this.jobs.now();
      const adds = messages.flatMap((m) => (m.topic === 'schedule' ? [jobOf(m.payload, this.config.worker, now)] : []));
      await this.queue.addBulk(adds);
      count += adds.length;
    }
    return count;
  }

  private async reconcileLogged(): Promise<void> {
    const started = Date.now();
    try {
      const count = await this.reconcile();
      this.logger.log(`Reconciled ${count} jobs in ${Date.now() - started} ms`);
    } catch (error) {
      this.logger.warn(`Reconcile failed, will try again: ${(error as Error).message}`);
    }
  }
}
