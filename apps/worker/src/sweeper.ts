import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MilestoneJobsService } from '@app/milestones';
import { RepeatingPass } from './repeating-pass';

/** How often the sweeper asks PostgreSQL when the next milestone is due (new ones, moved ones). */
const LOOK_AHEAD_MS = 500;

/**
 * Settles milestones the moment they come due, without waiting for their jobs: it asks
 * PostgreSQL when the next one is due, sleeps until then and sweeps every due milestone in bulk.
 * The jobs stay as they were — the durable schedule, with retries and incidents — and find their
 * milestones settled. Several workers sweep side by side, each taking cycles the others do not hold.
 */
@Injectable()
export class Sweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Sweeper');
  private readonly passes = new RepeatingPass(() => this.tick());

  constructor(private readonly jobs: MilestoneJobsService) {}

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }

  /** Sweeps if something is due; answers how long to wait before looking again. */
  private async tick(): Promise<number> {
    let wait = LOOK_AHEAD_MS;
    try {
      const until = (await this.jobs.msUntilNextDue()) ?? Infinity;
      if (until <= 0) {
        // Swept something: look again at once; nothing it could settle is due: wait.
        wait = (await this.jobs.sweepNow()) > 0 ? 0 : LOOK_AHEAD_MS;
      } else {
        wait = Math.min(until, LOOK_AHEAD_MS);
      }
    } catch (error) {
      this.logger.warn(`Could not look for due milestones, will try again: ${(error as Error).message}`);
    }
    return wait;
  }
}
