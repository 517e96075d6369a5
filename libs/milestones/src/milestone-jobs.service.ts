import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CyclesService } from '@app/cycles';
import type { FireJobData, OutboxMessage, RemindJobData } from '@app/queue';
import { MilestonesRepository, ScheduledMilestone } from './milestones.repository';
import { EVENT_OF, LABEL, scheduleMessages } from './schedule';

class AlreadySettled extends Error {}

const DAY = 24 * 60 * 60 * 1000;

export type FireOutcome = 'fired' | 'moot' | 'stale';

/**
 * What the worker's jobs do. Every handler is idempotent: a job delivered twice, late, or for a
 * milestone that moved since, changes nothing the second time.
 */
@Injectable()
export class MilestoneJobsService {
  private readonly logger = new Logger('Milestones');

  constructor(
    private readonly milestones: MilestonesRepository,
    private readonly cycles: CyclesService,
  ) {}

  /**
   * Sends the milestone's event down the same path as people's events, with the system as actor,
   * and settles the milestone in the same transaction. A milestone found moot is settled only if
   * the cycle has not moved meanwhile; otherwise it is decided again on the fresh cycle.
   */
  async fire(job: FireJobData): Promise<FireOutcome> {
    for (let attempt = 1; ; attempt++) {
      const milestone = await this.milestones.findWithCycle(job.milestoneId);
      if (!milestone?.cycle || milestone.status !== 'scheduled' || milestone.revision !== job.revision) return 'stale';
      const at = () => new Date().toISOString();
      try {
        const result = await this.cycles.sendSystemEvent(
          milestone.cycle,
          EVENT_OF[milestone.kind],
          { milestoneId: milestone.id },
          async (manager, state) => {
            const settled = await this.milestones.settle(manager, milestone.id, milestone.revision, 'fired', {
              status: 'fired',
              at: at(),
              note: `the cycle moved to ${state}`,
            });
            if (!settled) throw new AlreadySettled();
          },
        );
        if (result.outcome === 'applied') return 'fired';
        const change = { status: 'moot' as const, at: at(), note: result.reason };
        if (await this.milestones.settleMoot(milestone.id, milestone.revision, milestone.cycleId, result.cycleVersion, change)) {
          return 'moot';
        }
        // The cycle moved (or the milestone settled) since the read: decide again.
        if (attempt >= 10) throw new Error(`milestone ${milestone.id}: the cycle kept moving while deciding it`);
      } catch (error) {
        if (error instanceof AlreadySettled) return 'stale';
        throw error;
      }
    }
  }

  /** Tells every participant of the cycle that the milestone is coming. */
  async remind(job: RemindJobData): Promise<number> {
    const milestone = await this.milestones.find(job.milestoneId);
    if (!milestone || milestone.status !== 'scheduled' || milestone.revision !== job.revision) return 0;
    const left = milestone.dueAt.getTime() - Date.now();
    if (left <= 0) return 0;
    const cycle = await this.cycles.find(milestone.cycleId);
    if (!cycle) return 0;
    const users = await this.milestones.participants(milestone.cycleId);
    const days = Math.round(left / DAY);
    const hours = Math.max(1, Math.round(left / (DAY / 24)));
    const when = days >= 1 ? `in ${days} day${days === 1 ? '' : 's'}` : `in ${hours} hour${hours === 1 ? '' : 's'}`;
    const text = `${LABEL[milestone.kind]} for "${cycle.title}" ${when}, on ${milestone.dueAt.toUTCString()}.`;
    await this.milestones.notify(
      users.map((userId) => ({
        userId,
        kind: 'milestone-reminder',
        cycleId: milestone.cycleId,
        milestoneId: milestone.id,
        text,
        dedupeKey: `remind.${milestone.id}.${milestone.revision}.${job.days}`,
      })),
    );
    return users.length;
  }

  /** After the last retry: an incident on the cycle, never a silent loss. */
  async recordFailure(job: FireJobData, error: string, attempts: number): Promise<void> {
    const milestone = await this.milestones.find(job.milestoneId);
    if (!milestone || milestone.status !== 'scheduled' || milestone.revision !== job.revision) return;
    if (await this.milestones.openIncident(milestone.id)) return;
    await this.milestones.insertIncident({ cycleId: milestone.cycleId, milestoneId: milestone.id, error: error.slice(0, 2000), attempts });
    this.logger.error(`Milestone ${milestone.id} of cycle ${milestone.cycleId} failed ${attempts} times: ${error}`);
  }

  /** Outbox messages, claimed in a transaction: they are gone only if `deliver` succeeds. */
  relay(limit: number, deliver: (messages: OutboxMessage[]) => Promise<void>): Promise<number> {
    return this.milestones.transaction(async (manager: EntityManager) => {
      const messages = await this.milestones.claimOutbox(manager, limit);
      if (messages.length) await deliver(messages);
      return messages.length;
    });
  }

  /** The jobs every scheduled milestone should have, in batches, from PostgreSQL alone. */
  async *expectedJobs(batchSize: number): AsyncGenerator<OutboxMessage[]> {
    let after: string | null = null;
    for (;;) {
      const batch: ScheduledMilestone[] = await this.milestones.scheduledBatch(after, batchSize);
      if (!batch.length) return;
      const now = new Date();
      yield batch.flatMap((m) => scheduleMessages(m, m.reminderDays, now, true));
      after = batch[batch.length - 1].id;
    }
  }
}
