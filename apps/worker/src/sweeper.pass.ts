/** Settling milestones the moment they come due, in bulk, ahead of their jobs (a source of the relay). */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { MilestoneJobsService } from '@app/milestones';
import { Relay } from './relay/relay';

/** How often the sweeper asks PostgreSQL when the next milestone is due (new ones, moved ones). */
const LOOK_AHEAD_MS = 500;

/**
 * Settles milestones the moment they come due, without waiting for their jobs: it asks
 * PostgreSQL when the next one is due, sleeps until then and sweeps every due milestone in bulk.
 * The jobs stay as they were — the durable schedule, with retries and incidents — and find their
 * milestones settled. Several workers sweep side by side, each taking cycles the others do not hold.
 * A source of the relay that says itself when to run next.
 */
@Injectable()
export class Sweeper implements OnModuleInit {
  constructor(
    private readonly relay: Relay,
    private readonly jobs: MilestoneJobsService,
  ) {}

  onModuleInit(): void {
    this.relay.register({ name: 'The sweeper (looking for due milestones)', everyMs: LOOK_AHEAD_MS, pass: () => this.tick() });
  }

  /** Sweeps if something is due; answers how long to wait before looking again (a failure waits LOOK_AHEAD_MS, the source's interval). */
  private async tick(): Promise<number> {
    const until = (await this.jobs.msUntilNextDue()) ?? Infinity;
    // Swept something: look again at once; nothing it could settle is due: wait.
    if (until <= 0) return (await this.jobs.sweepNow()) > 0 ? 0 : LOOK_AHEAD_MS;
    return Math.min(until, LOOK_AHEAD_MS);
  }
}
