/** What the worker's milestone jobs do: fire, sweep what is due, remind and record failures, idempotent however often delivered. */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { milestoneLateness } from '@app/http';
import { CycleEventsService, CycleQueriesService, SystemEventPlan } from '@app/cycles';
import type { FireJobData, OutboxMessage, RemindJobData } from '@app/queue';
import { NotificationsService } from '@app/notifications';
import { PartnershipCalendarService, PartnershipsService } from '@app/partnerships';
import { MilestoneChange, incidentSummary } from './milestone.entity';
import { MilestonesRepository, ScheduledMilestone } from './milestones.repository';
import { EVENT_OF, LABEL, scheduleMessages } from './schedule';
import { Transactions } from '@app/database';

class AlreadySettled extends Error {}

const DAY = 24 * 60 * 60 * 1000;
/** A job starts a new sweep only if none started this recently (the last one saw what was due). */
const SWEEP_GAP_MS = 250;
/** After a failed sweep, jobs settle their milestones one at a time for this long (and a milestone
 *  that cannot be written becomes an incident, which sweeps then leave alone). */
const SWEEP_BACKOFF_MS = 5000;

export type FireOutcome = 'fired' | 'moot' | 'stale';

/**
 * What the worker's jobs do. Every handler is idempotent: a job delivered twice, late, or for a
 * milestone that moved since, changes nothing the second time.
 */
@Injectable()
export class MilestoneJobsService {
  private readonly logger = new Logger('Milestones');
  private sweeping?: Promise<void>;
  private lastSweep = 0;
  private sweepsPausedUntil = 0;

  constructor(
    private readonly milestones: MilestonesRepository,
    private readonly cycles: CycleQueriesService,
    private readonly events: CycleEventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationsService,
    private readonly partnerships: PartnershipsService,
    private readonly calendar: PartnershipCalendarService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Sends the milestone's event down the same path as people's events, with the system as actor,
   * and settles the milestone in the same transaction. A milestone found moot is settled only if
   * the cycle has not moved meanwhile; otherwise it is decided again on the fresh cycle.
   */
  async fire(job: FireJobData): Promise<FireOutcome> {
    await this.sweepDue();
    for (let attempt = 1; ; attempt++) {
      const milestone = await this.milestones.findWithCycle(job.milestoneId);
      if (!milestone?.cycle || milestone.status !== 'scheduled' || milestone.revision !== job.revision) return 'stale';
      const at = () => this.clock.now().toISOString();
      try {
        const result = await this.events.sendSystemEvent(milestone.cycle, EVENT_OF[milestone.kind], { milestoneId: milestone.id }, async (state) => {
          const settled = await this.milestones.settle(milestone.id, milestone.revision, 'fired', {
            status: 'fired',
            at: at(),
            note: `the cycle moved to ${state}`,
          });
          if (!settled) throw new AlreadySettled();
        });
        if (result.outcome === 'applied') return this.settled(milestone.dueAt, 'fired');
        const change = { status: 'moot' as const, at: at(), note: result.reason };
        if (await this.milestones.settleMoot(milestone.id, milestone.revision, milestone.cycleId, result.cycleVersion, change)) {
          return this.settled(milestone.dueAt, 'moot');
        }
        // The cycle moved (or the milestone settled) since the read: decide again.
        if (attempt >= 10) throw new Error(`milestone ${milestone.id}: the cycle kept moving while deciding it`);
      } catch (error) {
        if (error instanceof AlreadySettled) return 'stale';
        throw error;
      }
    }
  }

  /**
   * Settles every milestone due by now in bulk: per cycle, its due milestones in order, each
   * decided on the state the one before it left, written with their history entries and the
   * milestones' new status in one transaction per pass of cycles (workers take different cycles). The first job of a storm pays for all of
   * it; every other job then finds its milestone settled. Best effort: on any failure the
   * milestones stay scheduled and their own jobs settle them one at a time (with retries, then an
   * incident), as they do for a cycle that would open its next iteration.
   */
  async sweepDue(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    if (Date.now() - this.lastSweep < SWEEP_GAP_MS) return;
    await this.sweepNow();
  }

  /** Sweeps now, whenever the last sweep was (after the one under way, if any); answers how many it settled. */
  async sweepNow(): Promise<number> {
    while (this.sweeping) await this.sweeping;
    if (Date.now() < this.sweepsPausedUntil) return 0;
    this.lastSweep = Date.now();
    let settled = 0;
    this.sweeping = this.sweepAll()
      .then((count) => {
        settled = count;
      })
      .catch((error: unknown) => {
        this.sweepsPausedUntil = Date.now() + SWEEP_BACKOFF_MS;
        this.logger.warn(`Sweeping due milestones failed; their jobs settle them one at a time: ${(error as Error).message}`);
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    await this.sweeping;
    return settled;
  }

  /** How long until the next milestone a sweep would settle is due (null when none is scheduled). */
  async msUntilNextDue(): Promise<number | null> {
    const due = await this.milestones.nextDueAt();
    return due ? due.getTime() - this.clock.now().getTime() : null;
  }

  /** A milestone settled: how late after its due time, in the metrics. */
  private settled<S extends 'fired' | 'moot'>(dueAt: Date, status: S): S {
    milestoneLateness.observe(Math.max(0, this.clock.now().getTime() - dueAt.getTime()) / 1000);
    return status;
  }

  /** The services' time now, for the worker's delays. */
  now(): Date {
    return this.clock.now();
  }

  private async sweepAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const { seen, settled } = await this.sweepOnce();
      total += settled;
      if (seen < this.config.worker.sweepBatch || settled === 0) return total;
    }
  }

  private sweepOnce(): Promise<{ seen: number; settled: number }> {
    return this.transactions.run(async () => {
      // Cycles before milestones: the order every writer takes them in.
      const now = this.clock.now();
      const cycleIds = await this.milestones.claimDueCycles(now, this.config.worker.sweepBatch);
      if (!cycleIds.length) return { seen: 0, settled: 0 };
      const milestones = await this.milestones.lockDue(cycleIds, now);
      const plans = new Map<string, SystemEventPlan>();
      for (const m of milestones) {
        const plan = plans.get(m.cycleId) ?? { cycleId: m.cycleId, events: [] };
        plan.events.push({ key: m.id, type: EVENT_OF[m.kind], payload: { milestoneId: m.id } });
        plans.set(m.cycleId, plan);
      }
      const answers = await this.events.applySystemEvents([...plans.values()]);
      const revisions = new Map(milestones.map((m) => [m.id, m.revision]));
      const at = this.clock.now().toISOString();
      const settlements = [...answers.values()].flat().map((o) => {
        const change: MilestoneChange = o.outcome === 'applied' ? { status: 'fired', at, note: `the cycle moved to ${o.state}` } : { status: 'moot', at, note: o.reason };
        return { id: o.key, revision: revisions.get(o.key)!, status: change.status as 'fired' | 'moot', change };
      });
      await this.milestones.settleMany(settlements);
      const dueAt = new Map(milestones.map((m) => [m.id, m.dueAt]));
      for (const settlement of settlements) this.settled(dueAt.get(settlement.id)!, settlement.status);
      return { seen: cycleIds.length, settled: settlements.length };
    });
  }

  /** Tells every participant of the cycle that the milestone is coming. */
  async remind(job: RemindJobData): Promise<number> {
    const milestone = await this.milestones.find(job.milestoneId);
    if (!milestone || milestone.status !== 'scheduled' || milestone.revision !== job.revision) return 0;
    const left = milestone.dueAt.getTime() - this.clock.now().getTime();
    if (left <= 0) return 0;
    const cycle = await this.cycles.find(milestone.cycleId);
    if (!cycle) return 0;
    const users = await this.cycles.participants(cycle);
    const days = Math.round(left / DAY);
    const hours = Math.max(1, Math.round(left / (DAY / 24)));
    const when = days >= 1 ? `in ${days} day${days === 1 ? '' : 's'}` : `in ${hours} hour${hours === 1 ? '' : 's'}`;
    const text = `${LABEL[milestone.kind]} for "${cycle.title}" ${when}, on ${milestone.dueAt.toUTCString()}.`;
    await this.notifications.notify(
      users.map((userId) => ({
        userId,
        kind: 'milestone-reminder',
        cycleId: milestone.cycleId,
        milestoneId: milestone.id,
        text,
        // Open until the milestone comes or is cancelled.
        taskKey: `milestone.${milestone.id}`,
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
    // The cause (a database message, a stack) goes to the log only; the incident says where to find it.
    const id = randomUUID();
    await this.milestones.insertIncident({ id, cycleId: milestone.cycleId, milestoneId: milestone.id, error: incidentSummary({ id, attempts }), attempts });
    this.logger.error(`Incident ${id}: milestone ${milestone.id} of cycle ${milestone.cycleId} failed ${attempts} times: ${error}`);
  }

  /** The jobs every scheduled milestone should have, in batches, from PostgreSQL alone. */
  async *expectedJobs(batchSize: number): AsyncGenerator<OutboxMessage[]> {
    let after: string | null = null;
    for (;;) {
      const batch: ScheduledMilestone[] = await this.milestones.scheduledBatch(after, batchSize);
      if (!batch.length) return;
      const now = this.clock.now();
      const reminderDays = await this.calendar.reminderDaysOf(batch.map((m) => m.partnershipId));
      yield batch.flatMap((m) => scheduleMessages(m, reminderDays.get(m.partnershipId) ?? [], now, m.scheduledAt));
      after = batch[batch.length - 1].id;
    }
  }
}
