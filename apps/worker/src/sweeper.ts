import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MilestoneJobsService } from '@app/milestones';

/** How often the sweeper asks PostgreSQL when the next milestone is due (new ones, moved ones). */
const LOOK_AHEAD_MS = 500;

/**
 * Settles milestones the moment they come due, without waiting for their jobs: it asks
 * PostgreSQL when the next one is due, sleeps until then and sweeps every due milestone in bulk.
 * The jobs stay as they were — the durable schedule, with retries and incidents — and find their
 * milestones settled. Several workers may sweep: one at a time, under an advisory lock.
 */
@Injectable()
export class Sweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Sweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly jobs: MilestoneJobsService) {}

  onApplicationBootstrap(): void {
    this.next(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private next(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let wait = LOOK_AHEAD_MS;
    try {
      const due = await this.jobs.nextDueAt();
      const until = due ? due.getTime() - Date.now() : Infinity;
      if (until <= 0) {
        // Swept something: look again at once; nothing it could settle is due: wait.
        wait = (await this.jobs.sweepNow()) > 0 ? 0 : LOOK_AHEAD_MS;
      } else {
        wait = Math.min(until, LOOK_AHEAD_MS);
      }
    } catch (error) {
      this.logger.warn(`Could not look for due milestones, will try again: ${(error as Error).message}`);
    }
    this.next(wait);
  }
}
