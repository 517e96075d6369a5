/** Rebuilding the milestones' jobs from PostgreSQL at start and periodically, so a Redis flush loses nothing. */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@app/config';
import { MilestoneJobsService } from '@app/milestones';
import { ReorganisationJobsService } from '@app/reorganisation';
import { MILESTONE_QUEUE } from '@app/queue';
import { jobOf } from './outbox.relay';
import { Relay } from './relay/relay';

/**
 * Rebuilds the schedule from PostgreSQL: every scheduled milestone gets its jobs (fixed ids make
 * existing ones no-ops; overdue ones fire at once). A source of the relay, run at start and every
 * RECONCILE_INTERVAL_MS, so a Redis flush or restart loses nothing.
 */
@Injectable()
export class Reconciler implements OnModuleInit {
  private readonly logger = new Logger('Reconciler');

  constructor(
    private readonly relay: Relay,
    private readonly jobs: MilestoneJobsService,
    private readonly successions: ReorganisationJobsService,
    @InjectQueue(MILESTONE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'Reconcile', everyMs: this.config.worker.reconcileIntervalMs, pass: () => this.reconcileLogged() });
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
    // Every scheduled succession's job too (a fixed id per succession).
    const now = this.jobs.now();
    const successions = (await this.successions.expectedJobs()).flatMap((m) => (m.topic === 'schedule' ? [jobOf(m.payload, this.config.worker, now)] : []));
    if (successions.length) await this.queue.addBulk(successions);
    count += successions.length;
    return count;
  }

  private async reconcileLogged(): Promise<void> {
    const started = Date.now();
    const count = await this.reconcile();
    this.logger.log(`Reconciled ${count} jobs in ${Date.now() - started} ms`);
  }
}
