/** Scheduling and cancelling a cycle's milestones, moving anchors with them, incidents and archiving a partnership. */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { Principal, isAdmin } from '@app/accounts';
import { CycleEventsService, CycleQueriesService, CycleRecord } from '@app/cycles';
import { FINAL_STATES, Forbidden, NotFound, TransitionRefused, ValidationFailed, alignedDue, restoreCycle, type Clock } from '@app/domain';
import { AnchorEntity, Decided, PartnershipCalendarService, PartnershipGovernanceService, PartnershipsService } from '@app/partnerships';
import { IncidentEntity, MilestoneChange, MilestoneEntity, MilestoneKind } from './milestone.entity';
import { OutboxService } from '@app/outbox';
import { MilestonesRepository } from './milestones.repository';
import { CalendarAnchor, CalendarMilestone, Conflict, calendarConflicts, scheduleMessages, unscheduleMessage } from './schedule';
import { Transactions } from '@app/database';

export type NewMilestone =
  { kind: MilestoneKind; dueAt: string } | { kind: MilestoneKind; anchorId: string; offsetDays: number } | { kind: MilestoneKind; anchorId: string; offsetWorkingDays: number };

export interface Calendar {
  anchors: CalendarAnchor[];
  milestones: CalendarMilestone[];
  conflicts: Conflict[];
}

/** Up to a minute in the past is accepted (clocks and round trips); earlier is a mistake. */
const PAST_TOLERANCE_MS = 60_000;

@Injectable()
export class MilestonesService {
  constructor(
    private readonly milestones: MilestonesRepository,
    private readonly cycles: CycleQueriesService,
    private readonly events: CycleEventsService,
    private readonly partnerships: PartnershipsService,
    private readonly governance: PartnershipGovernanceService,
    private readonly partnershipCalendar: PartnershipCalendarService,
    private readonly outbox: OutboxService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  forCycle(cycleId: string): Promise<MilestoneEntity[]> {
    return this.milestones.forCycle(cycleId);
  }

  async forVisibleCycle(principal: Principal, cycleId: string): Promise<MilestoneEntity[]> {
    await this.cycles.visible(principal, cycleId);
    return this.milestones.forCycle(cycleId);
  }

  async schedule(principal: Principal, cycleId: string, input: NewMilestone): Promise<MilestoneEntity> {
    const cycle = await this.commissionerOf(principal, cycleId, 'schedule milestones');
    const now = this.clock.now();
    let dueAt: Date;
    let anchor: AnchorEntity | undefined;
    const aligned = 'anchorId' in input && input.anchorId !== undefined ? input : undefined;
    if (aligned) {
      anchor = await this.partnershipCalendar.getAnchor(principal, cycle.row.partnershipId, aligned.anchorId).catch((error: unknown) => {
        if (error instanceof NotFound) {
          throw new ValidationFailed([{ field: 'anchorId', message: "is not an anchor of this cycle's partnership" }]);
        }
        throw error;
      });
      dueAt = alignedDue(anchor.date, aligned as { offsetDays?: number; offsetWorkingDays?: number });
    } else {
      dueAt = new Date((input as { dueAt: string }).dueAt);
    }
    if (dueAt.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
      const field = aligned ? 'anchorId' : 'dueAt';
      throw new ValidationFailed([{ field, message: `falls in the past (${dueAt.toISOString()})` }]);
    }
    const id = randomUUID();
    const milestone = {
      id,
      cycleId,
      partnershipId: cycle.row.partnershipId,
      kind: input.kind,
      dueAt,
      anchorId: aligned?.anchorId ?? null,
      offsetDays: aligned && 'offsetDays' in aligned ? (aligned.offsetDays ?? null) : null,
      offsetWorkingDays: aligned && 'offsetWorkingDays' in aligned ? (aligned.offsetWorkingDays ?? null) : null,
      status: 'scheduled' as const,
      revision: 1,
      changes: [{ status: 'scheduled' as const, at: now.toISOString(), dueAt: dueAt.toISOString() }],
      createdByUserId: principal.userId,
    };
    const reminderDays = await this.partnershipCalendar.reminderDays(cycle.row.partnershipId);
    return this.transactions.run(async () => {
      await this.events.recordEntry(cycleId, {
        type: 'MILESTONE_SCHEDULED',
        actor: { userId: principal.userId, organisationId: principal.organisationId },
        payload: {
          milestoneId: id,
          kind: input.kind,
          dueAt: dueAt.toISOString(),
          ...(anchor && { anchorId: anchor.id, anchorName: anchor.name }),
          ...(milestone.offsetDays !== null && { offsetDays: milestone.offsetDays }),
          ...(milestone.offsetWorkingDays !== null && { offsetWorkingDays: milestone.offsetWorkingDays }),
        },
        at: now,
      });
      // Counted once the entry has locked the cycle, so two milestones scheduled at once cannot both be the last one.
      const cap = this.config.caps.milestonesPerCycle;
      if ((await this.milestones.countForCycle(cycleId)) >= cap) {
        throw new TransitionRefused(`A cycle holds at most ${cap} milestones (MAX_MILESTONES_PER_CYCLE), and this one has them all (cancelled ones count: they stay in its calendar).`);
      }
      const saved = await this.milestones.insert(milestone);
      await this.outbox.enqueue(scheduleMessages(saved, reminderDays, now));
      return saved;
    });
  }

  async cancel(principal: Principal, cycleId: string, milestoneId: string): Promise<MilestoneEntity> {
    await this.commissionerOf(principal, cycleId, 'cancel milestones');
    const milestone = await this.milestones.find(milestoneId);
    if (!milestone || milestone.cycleId !== cycleId) throw new NotFound('milestone');
    const refusal = notScheduled(milestone);
    if (refusal) throw new TransitionRefused(refusal);
    const now = this.clock.now();
    const reminderDays = await this.partnershipCalendar.reminderDays(milestone.partnershipId);
    await this.transactions.run(async () => {
      await this.events.recordEntry(cycleId, {
        type: 'MILESTONE_CANCELLED',
        actor: { userId: principal.userId, organisationId: principal.organisationId },
        payload: { milestoneId, kind: milestone.kind, dueAt: milestone.dueAt.toISOString() },
        at: now,
      });
      const cancelled = await this.milestones.settle(milestoneId, milestone.revision, 'cancelled', {
        status: 'cancelled',
        at: now.toISOString(),
      });
      if (!cancelled) throw new TransitionRefused('The milestone changed meanwhile (it fired or moved). Reload and try again.');
      await this.outbox.enqueue([unscheduleMessage(milestone, reminderDays)]);
    });
    return (await this.milestones.find(milestoneId))!;
  }

  /**
   * Moves an anchor and, in the same transaction, every scheduled milestone aligned to it in every
   * cycle of the partnership: old jobs removed and new ones queued through the outbox, and the move
   * recorded in each affected cycle's history.
   */
  async moveAnchor(principal: Principal, partnershipId: string, anchorId: string, changes: { name?: string; date: Date }): Promise<{ anchor: AnchorEntity; moved: number }> {
    const anchor = await this.partnershipCalendar.anchorToMove(principal, partnershipId, anchorId);
    const now = this.clock.now();
    const reminderDays = await this.partnershipCalendar.reminderDays(partnershipId);
    return this.transactions.run(async () => {
      // Lock cycles before milestones, the order every writer uses.
      const before = await this.milestones.alignedScheduledIds(anchorId);
      const cycleIds = [...new Set(before.map((m) => m.cycleId))].sort();
      const actor = { userId: principal.userId, organisationId: principal.organisationId };
      await this.events.lockForEntries(cycleIds);
      const aligned = (await this.milestones.lockScheduled({ anchorId })).filter((m) => cycleIds.includes(m.cycleId));
      await this.refuseOthersMilestonesInThePast(principal, anchor.name, changes.date, aligned, now);
      const saved = await this.partnershipCalendar.saveAnchor(anchor, changes);
      const moves = aligned.map((m) => {
        const dueAt = alignedDue(saved.date, m);
        const change: MilestoneChange = {
          status: 'moved',
          at: now.toISOString(),
          dueAt: dueAt.toISOString(),
          note: `"${saved.name}" moved from ${anchor.date.toISOString()} to ${saved.date.toISOString()}`,
        };
        return { milestone: m, dueAt, change };
      });
      await this.milestones.move(moves.map(({ milestone, dueAt, change }) => ({ id: milestone.id, dueAt, change })));
      await this.outbox.enqueue([
        ...moves.map(({ milestone }) => unscheduleMessage(milestone, reminderDays)),
        ...moves.flatMap(({ milestone, dueAt }) => scheduleMessages({ id: milestone.id, revision: milestone.revision + 1, dueAt }, reminderDays, now)),
      ]);
      await this.events.recordEntries(
        cycleIds.flatMap((cycleId) => {
          const ofCycle = moves.filter(({ milestone }) => milestone.cycleId === cycleId);
          if (!ofCycle.length) return [];
          return [
            {
              cycleId,
              type: 'MILESTONES_MOVED',
              actor,
              payload: {
                anchorId,
                anchorName: saved.name,
                from: anchor.date.toISOString(),
                to: saved.date.toISOString(),
                milestones: ofCycle.map(({ milestone, dueAt }) => ({
                  id: milestone.id,
                  kind: milestone.kind,
                  from: milestone.dueAt.toISOString(),
                  to: dueAt.toISOString(),
                })),
              },
              at: now,
            },
          ];
        }),
      );
      return { anchor: saved, moved: moves.length };
    });
  }

  /**
   * A new date for an anchor may put milestones aligned to it in the past (they would then fire
   * at once). Only someone who commissions every cycle that happens to may do that: anyone else
   * is refused, with the cycles named (API.md, round 2).
   */
  private async refuseOthersMilestonesInThePast(principal: Principal, anchorName: string, date: Date, aligned: MilestoneEntity[], now: Date): Promise<void> {
    const cycleIds = [...new Set(aligned.filter((m) => alignedDue(date, m).getTime() < now.getTime()).map((m) => m.cycleId))].sort();
    if (!cycleIds.length) return;
    const cycles = (await Promise.all(cycleIds.map((id) => this.cycles.find(id)))).filter((c) => c !== null);
    const commissions = (c: (typeof cycles)[number]) => restoreCycle(c.snapshot).context.coOwners.some((o) => o.organisationId === principal.organisationId && o.role === 'commissioner');
    const others = cycles.filter((c) => !commissions(c));
    if (!others.length) return;
    const name = (c: (typeof cycles)[number]) => `"${c.title}" (${c.id})`;
    throw new TransitionRefused(
      `Moving "${anchorName}" to ${date.toISOString().slice(0, 10)} would put scheduled milestones in the past in ${cycles.length === 1 ? 'the cycle' : 'the cycles'} ` +
        `${cycles.map(name).join(', ')}. Only a commissioner of every one of them may do that, and you are not a commissioner of ${others.map(name).join(', ')}. ` +
        'Choose a later date, or ask their commissioners.',
    );
  }

  async calendar(principal: Principal, partnershipId: string): Promise<Calendar> {
    const partnership = await this.partnerships.get(principal, partnershipId);
    const anchors = partnership.anchors.map((a) => ({ id: a.id, name: a.name, date: a.date }));
    const milestones: CalendarMilestone[] = (await this.milestones.forPartnership(partnershipId)).map((m) => ({
      id: m.id,
      cycleId: m.cycleId,
      cycleTitle: m.cycleTitle,
      kind: m.kind,
      dueAt: m.dueAt,
      status: m.status,
      anchorId: m.anchorId,
      offsetDays: m.offsetDays,
      offsetWorkingDays: m.offsetWorkingDays,
    }));
    return { anchors, milestones, conflicts: calendarConflicts(milestones, anchors) };
  }

  async incidents(principal: Principal, cycleId: string): Promise<IncidentEntity[]> {
    await this.cycles.visible(principal, cycleId);
    return this.milestones.incidents(cycleId);
  }

  /** Tries a failed milestone again: a new revision, so a new job, fired at once if overdue. */
  async retryIncident(principal: Principal, cycleId: string, incidentId: string): Promise<IncidentEntity> {
    await this.commissionerOf(principal, cycleId, 'retry failed milestones');
    const incident = await this.milestones.findIncident(cycleId, incidentId);
    if (!incident) throw new NotFound('incident');
    if (incident.retriedAt) throw new TransitionRefused('This incident has already been retried.');
    const milestone = await this.milestones.find(incident.milestoneId);
    const reminderDays = milestone ? await this.partnershipCalendar.reminderDays(milestone.partnershipId) : [];
    await this.transactions.run(async () => {
      if (!(await this.milestones.markRetried(incidentId, principal.userId))) {
        throw new TransitionRefused('This incident has already been retried.');
      }
      if (milestone?.status === 'scheduled') {
        const revision = await this.milestones.bumpRevision(milestone.id);
        await this.outbox.enqueue(scheduleMessages({ ...milestone, revision }, reminderDays, this.clock.now()));
      }
    });
    return (await this.milestones.findIncident(cycleId, incidentId))!;
  }

  /**
   * Archives a partnership (a commissioner member): read-only from then on, and in the same
   * transaction every scheduled milestone of its cycles cancelled, each cancellation in its
   * cycle's history, their jobs removed through the outbox. With another commissioner member, the
   * first request proposes it and the other's agrees (PartnershipGovernanceService.archive): only then.
   */
  async archivePartnership(principal: Principal, partnershipId: string): Promise<Decided> {
    const now = this.clock.now();
    const reminderDays = await this.partnershipCalendar.reminderDays(partnershipId);
    const decided = await this.transactions.run(async () => {
      const decided = await this.governance.archive(principal, partnershipId, now);
      if (!decided.done) return decided;
      const scheduled = await this.milestones.lockScheduled({ partnershipId });
      if (!scheduled.length) return decided;
      await this.events.recordEntries(
        scheduled.map((m) => ({
          cycleId: m.cycleId,
          type: 'MILESTONE_CANCELLED',
          actor: { userId: principal.userId, organisationId: principal.organisationId },
          payload: { milestoneId: m.id, kind: m.kind, dueAt: m.dueAt.toISOString(), reason: 'The partnership was archived.' },
          at: now,
        })),
      );
      await this.milestones.settleMany(scheduled.map((m) => ({ id: m.id, revision: m.revision, status: 'cancelled', change: { status: 'cancelled', reason: 'archived', at: now.toISOString() } })));
      await this.outbox.enqueue(scheduled.map((m) => unscheduleMessage(m, reminderDays)));
      return decided;
    });
    await this.governance.tell(partnershipId, decided.entries);
    return decided;
  }

  private async commissionerOf(principal: Principal, cycleId: string, what: string): Promise<CycleRecord> {
    const cycle = await this.cycles.visible(principal, cycleId);
    await this.partnerships.requireOpen(cycle.row.partnershipId);
    const role = cycle.snapshot.context.coOwners.find((c) => c.organisationId === principal.organisationId)?.role;
    if (role !== 'commissioner' || isAdmin(principal)) {
      throw new Forbidden(`Only the cycle's commissioners ${what}.`);
    }
    if (FINAL_STATES.includes(cycle.row.state as (typeof FINAL_STATES)[number])) {
      throw new TransitionRefused(`The cycle is ${cycle.row.state}: its milestones no longer apply.`);
    }
    return cycle;
  }
}

function notScheduled(m: MilestoneEntity): string | undefined {
  if (m.status === 'scheduled') return undefined;
  return m.status === 'fired'
    ? 'This milestone has already fired.'
    : m.status === 'moot'
      ? 'This milestone came when it no longer applied and was recorded as moot.'
      : 'This milestone is already cancelled.';
}
