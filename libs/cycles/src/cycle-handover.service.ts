/** A person hands over their work (seed 001): their panel seats and facilitator roles in unfinished cycles go to a colleague. */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsService, Principal, UserEntity, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { Transactions } from '@app/database';
import { type Clock, CycleEvent, Forbidden, TransitionRefused, peopleOf, restoreCycle } from '@app/domain';
import { IS_ARCHIVED } from '@app/partnerships/partnerships.fragment';
import { REMINDERS_HANDED_OVER } from '@app/notifications/notifications.fragment';
import { CycleDirectory } from './cycle-directory.service';
import { CycleEventsService } from './cycle-events.service';
import { CycleWritesRepository } from './cycle-writes.repository';

/** A cycle where the leaver's work could not move, and why (the machine's words). */
export interface HandoverSkip {
  cycleId: string;
  reason: string;
}

/** What a handover did: the cycles whose seats are now the colleague's (by this handover or an earlier one of the same two people), and those it left. */
export interface HandoverOutcome {
  cycles: string[];
  skipped: HandoverSkip[];
}

/** A cycle the leaver holds a seat in, as the confirmation page lists it. */
export interface HandoverCandidate {
  cycleId: string;
  title: string;
  panel: boolean;
  facilitator: boolean;
}

/** The notification the colleague gets for each cycle handed to them. */
export const HANDOVER_KIND = 'handover';

/** The states a cycle is unfinished in (a handover reaches it there), as the `cycles.state` column holds them. */
const UNFINISHED_SQL = `('draft', 'framing', 'options', 'deciding', 'delivering', 'reviewing', 'escalated')`;

/**
 * A lead (of the leaver's organisation) or a platform admin hands a person's work to a colleague
 * of the same organisation: in every unfinished cycle where the person sits on the panel or
 * facilitates, the service records HANDED_OVER through the cycles' write path (the machine decides,
 * the history is chained, tasks move and webhooks go out with it). Everything in one transaction:
 * all of it moves or none. A repeat moves nothing more and answers the same cycles.
 */
@Injectable()
export class CycleHandoverService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly events: CycleEventsService,
    private readonly writes: CycleWritesRepository,
    private readonly directory: CycleDirectory,
    private readonly transactions: Transactions,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The leaver, once the caller may hand over their work: 403 for anyone but admins and their organisation's leads, 404 for nobody. */
  async leaver(principal: Principal, userId: string): Promise<UserEntity> {
    if (!isAdmin(principal) && principal.role !== 'lead') throw new Forbidden('Only platform admins, and leads for their own organisation, hand over a person’s work.');
    const user = await this.accounts.getUser(userId);
    if (!isAdmin(principal) && (!principal.organisationId || user.organisationId !== principal.organisationId)) {
      throw new Forbidden('Only platform admins, and leads for their own organisation, hand over a person’s work.');
    }
    if (!user.organisationId) throw new TransitionRefused(`${user.name} belongs to no organisation: only an organisation’s people hand over their work to a colleague.`);
    return user;
  }

  /** The colleagues who may take over: the active users of the leaver's organisation but them, by name. */
  async colleagues(leaver: UserEntity): Promise<UserEntity[]> {
    const users = await this.accounts.listUsers(leaver.organisationId!);
    return users.filter((u) => u.active && u.id !== leaver.id && u.role !== 'guest').sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** The unfinished cycles where the person sits on the panel or facilitates (what a handover would try to move). */
  async candidates(userId: string): Promise<HandoverCandidate[]> {
    const rows: { id: string; title: string; panel: boolean; facilitator: boolean }[] = await this.dataSource.query(
      `SELECT c.id, c.title,
         c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($1::text) AS panel,
         c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($1::text) AS facilitator
       FROM cycles c
       WHERE c.state IN ${UNFINISHED_SQL}
         AND (c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($1::text) OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($1::text))
       ORDER BY c.title, c.id`,
      [userId],
    );
    return rows.map((r) => ({ cycleId: r.id, title: r.title, panel: r.panel, facilitator: r.facilitator }));
  }

  /**
   * Hands `fromUserId`'s seats to `toUserId`. The colleague must be an active user of the same
   * organisation (422 otherwise). Cycles whose rules refuse (the person signed off the review, so
   * their seat stays; the colleague may not sit there) and those of archived partnerships are
   * skipped with the reason. The colleague is told of each cycle, by a notification emailed as
   * they chose, written in the same transaction.
   */
  async handOver(principal: Principal, fromUserId: string, toUserId: string): Promise<HandoverOutcome> {
    const from = await this.leaver(principal, fromUserId);
    const to = await this.colleagueOf(from, toUserId);
    const actor = { userId: principal.userId, organisationId: principal.organisationId, system: true };
    const skipped: HandoverSkip[] = [];
    await this.transactions.run(async () => {
      const candidates = await this.lockable(from.id);
      const archived = new Set(candidates.filter((c) => c.archived).map((c) => c.id));
      const outcomes = await this.events.applyServiceEvents(
        candidates.filter((c) => !c.archived).map((c) => c.id),
        async (row) => {
          const context = restoreCycle(row.snapshot).context;
          // Moved meanwhile (another handover of the same person committed first): nothing to do here.
          if (!peopleOf(context).includes(from.id)) return [];
          const directory = await this.directory.of(row.partnershipId, [from.id, to.id, ...peopleOf(context)]);
          return [{ type: 'HANDED_OVER', fromUserId: from.id, toUserId: to.id, actor, at: this.clock.now().toISOString(), directory } as CycleEvent];
        },
      );
      for (const id of [...archived].sort()) skipped.push({ cycleId: id, reason: 'The partnership is archived: it and its cycles are read-only.' });
      const notes = [];
      /** Cycles the person takes no part in any more (their organisation does not co-own it, no seat stays theirs): their milestone reminders there follow the seat. */
      const leftBehind: string[] = [];
      for (const [cycleId, outcome] of [...outcomes].sort(([a], [b]) => a.localeCompare(b))) {
        if (outcome.outcome === 'refused') {
          skipped.push({ cycleId, reason: outcome.reason });
          continue;
        }
        const before = restoreCycle(outcome.before.snapshot).context;
        const seats = [before.facilitatorUserIds.includes(from.id) && 'facilitator role', before.panelUserIds.includes(from.id) && !before.signOffs.some((s) => s.userId === from.id) && 'panel seat'];
        const what = seats.filter(Boolean).join(' and ');
        const keepsSeat = before.panelUserIds.includes(from.id) && before.signOffs.some((s) => s.userId === from.id);
        if (!keepsSeat && !before.coOwners.some((o) => o.organisationId === from.organisationId)) leftBehind.push(cycleId);
        notes.push({
          user_id: to.id,
          kind: HANDOVER_KIND,
          cycle_id: cycleId,
          text: `${from.name} handed their ${what} over to you: “${outcome.before.title}”`,
          link: `/cycles/${cycleId}`,
          task_key: null,
          // Once per handover entry (a later one back and forth is told again); who handed over first, for an erasure of them to find (HANDOVERS_NAMING_ERASED).
          dedupe_key: `${HANDOVER_KIND}.${from.id}.${cycleId}.${outcome.seq}`,
        });
      }
      await this.writes.insertNotes(notes);
      if (leftBehind.length) await this.transactions.manager.query(REMINDERS_HANDED_OVER('$1', '$2', '$3::uuid[]', '$4'), [from.id, to.id, leftBehind, this.clock.now()]);
    });
    skipped.sort((a, b) => a.cycleId.localeCompare(b.cycleId));
    return { cycles: await this.handedOver(from.id, to.id), skipped };
  }

  /** The colleague: an active user of the leaver's organisation, not the leaver (422 otherwise, 422 for nobody too: the body's fault). */
  async colleagueOf(from: UserEntity, toUserId: string): Promise<UserEntity> {
    if (toUserId === from.id) throw new TransitionRefused('Choose a colleague: a person cannot hand over their work to themselves.');
    const [to] = await this.accounts.findUsers([toUserId]);
    if (!to || to.organisationId !== from.organisationId || to.role === 'guest') {
      throw new TransitionRefused(`The colleague must be a user of ${from.organisation?.name ?? 'the same organisation as the person who hands over'}.`);
    }
    if (!to.active) throw new TransitionRefused(`${to.name}’s account is deactivated: choose an active colleague.`);
    return to;
  }

  /** The titles of these cycles, by id (the web app's confirmation lists them). */
  async titlesOf(cycleIds: string[]): Promise<Map<string, string>> {
    if (!cycleIds.length) return new Map();
    const rows: { id: string; title: string }[] = await this.dataSource.query('SELECT id, title FROM cycles WHERE id = ANY($1::uuid[])', [cycleIds]);
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /** The cycles to lock, with whether their partnership is archived (read-only: skipped). */
  private async lockable(userId: string): Promise<{ id: string; archived: boolean }[]> {
    const rows: { id: string; archived: boolean }[] = await this.transactions.manager.query(
      `SELECT c.id, ${IS_ARCHIVED('c.partnership_id')} AS archived FROM cycles c
       WHERE c.state IN ${UNFINISHED_SQL}
         AND (c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($1::text) OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($1::text))
       ORDER BY c.id`,
      [userId],
    );
    return rows;
  }

  /** The unfinished cycles whose history records a handover from one to the other and where the colleague still holds a seat: this handover's and earlier ones'. */
  private async handedOver(fromUserId: string, toUserId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT c.id FROM cycles c
       WHERE c.state IN ${UNFINISHED_SQL}
         AND (c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($2::text) OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($2::text))
         AND EXISTS (SELECT 1 FROM cycle_history h WHERE h.cycle_id = c.id AND h.type = 'HANDED_OVER' AND h.payload->>'fromUserId' = $1 AND h.payload->>'toUserId' = $2)
       ORDER BY c.id`,
      [fromUserId, toUserId],
    );
    return rows.map((r) => r.id);
  }
}
