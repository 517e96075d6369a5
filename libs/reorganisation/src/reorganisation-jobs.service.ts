/**
 * Carrying a succession out on its date, from the worker's job: one transaction per partnership
 * the predecessor is a member of, then a last one for the organisation itself. Every step holds
 * the succession's row (FOR UPDATE) and checks it is still scheduled, and each partnership's step
 * does nothing once the predecessor has left it, so two workers (or a job delivered twice) carry
 * it out once.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { AgreementsService } from '@app/agreements';
import { CLOCK } from '@app/config';
import { Transactions } from '@app/database';
import { type Actor, type Clock, type CycleEvent, restoreCycle } from '@app/domain';
import { CycleEventsService } from '@app/cycles';
import { PartnershipHistoryRepository } from '@app/partnerships';
import { type OutboxMessage, type SucceedJobData } from '@app/queue';
import { type PartnershipOutcome, SuccessionEntity } from './succession.entity';
import { ReorganisationService, SUCCEEDED, scheduleMessage, successorOf } from './reorganisation.service';
import { SuccessionNotices } from './succession-notices';

export type SucceedOutcome = 'done' | 'stale';

@Injectable()
export class ReorganisationJobsService {
  private readonly logger = new Logger('Reorganisation');

  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsService,
    private readonly reorganisation: ReorganisationService,
    private readonly events: CycleEventsService,
    private readonly agreements: AgreementsService,
    private readonly history: PartnershipHistoryRepository,
    private readonly notices: SuccessionNotices,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Carries the succession out (idempotent: a cancelled, done or changed one changes nothing). The
   * job is delayed to its date, as a milestone's is. A partnership where the cycles' rules refuse it
   * now is left as it was, its refusals recorded; the succession is then held (done where the rules
   * held, the organisation not dissolved) until an admin resumes it.
   */
  async carryOut(job: SucceedJobData): Promise<SucceedOutcome> {
    const first = await this.transactions.manager.getRepository(SuccessionEntity).findOneBy({ id: job.successionId });
    if (!first || first.state !== 'scheduled' || first.revision !== (job.revision ?? 1)) return 'stale';
    const partnershipIds: string[] = (
      await this.transactions.manager.query(`SELECT partnership_id FROM partnership_members WHERE organisation_id = $1 ORDER BY partnership_id`, [first.predecessorOrganisationId])
    ).map((r: { partnership_id: string }) => r.partnership_id);
    for (const partnershipId of partnershipIds) {
      const went = await this.transactions.run(() => this.inPartnership(job, partnershipId));
      if (!went) return 'stale';
    }
    return (await this.transactions.run(() => this.finish(job))) ? 'done' : 'stale';
  }

  /** The succession's row, held for the transaction; undefined unless still scheduled at the job's revision. */
  private async lock(job: SucceedJobData): Promise<SuccessionEntity | undefined> {
    const found = await this.transactions.manager.getRepository(SuccessionEntity).findOne({ where: { id: job.successionId }, lock: { mode: 'pessimistic_write' } });
    return found?.state === 'scheduled' && found.revision === (job.revision ?? 1) ? found : undefined;
  }

  private async inPartnership(job: SucceedJobData, partnershipId: string): Promise<boolean> {
    const succession = await this.lock(job);
    if (!succession) return false;
    const m = this.transactions.manager;
    const predecessor = succession.predecessorOrganisationId;
    const [member] = await m.query(`SELECT 1 FROM partnership_members WHERE partnership_id = $1 AND organisation_id = $2 FOR UPDATE`, [partnershipId, predecessor]);
    // Done already by a step that committed before a crash: the next partnership.
    if (!member) return true;
    const successors = new Map((await this.accounts.findOrganisations(succession.successors.map((s) => s.organisationId))).map((o) => [o.id, o]));
    const usersTo = successors.get(succession.successors[0].organisationId)!;
    const at = this.clock.now();
    const actor: Actor = { userId: succession.createdByUserId, organisationId: null, system: true };
    // The cycles first, all or nothing: where their rules refuse, the partnership is left as it was.
    const unfinished: { id: string; title: string }[] = await m.query(`SELECT id, title FROM cycles WHERE partnership_id = $1 AND state NOT IN ('closed', 'cancelled') ORDER BY id`, [partnershipId]);
    const outcomes = await this.events.applyServiceEvents(
      unfinished.map((c) => c.id),
      async (row) => {
        const context = restoreCycle(row.snapshot).context;
        if (!context.coOwners.some((o) => o.organisationId === predecessor)) return [];
        const [to] = successorOf(succession.successors, row.id);
        // A cycle begun after the succession was scheduled and left unassigned in a split: the first successor takes it.
        const successor = successors.get(to ?? usersTo.id)!;
        const directory = await this.reorganisation.directoryFor(partnershipId, context, predecessor, successor, usersTo);
        return [{ type: SUCCEEDED, predecessorOrganisationId: predecessor, successorOrganisationId: successor.id, actor, at: at.toISOString(), directory } as unknown as CycleEvent];
      },
      { allOrNothing: true },
    );
    const titles = new Map(unfinished.map((c) => [c.id, c.title]));
    const refusals = [...outcomes].flatMap(([cycleId, o]) => (o.outcome === 'refused' ? [{ cycleId, title: titles.get(cycleId) ?? 'a cycle', reason: o.reason }] : []));
    if (refusals.length) {
      await this.record(succession, partnershipId, { state: 'refused', at: at.toISOString(), refusals });
      this.logger.warn({ msg: 'Succession refused by the cycles of a partnership: it is held there', successionId: succession.id, partnershipId, cycles: refusals.map((r) => r.cycleId) });
      return true;
    }
    // Every successor joins; what the predecessor put on the table becomes the first successor's (if it declared none).
    for (const s of succession.successors) {
      await m.query(`INSERT INTO partnership_members (partnership_id, organisation_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [partnershipId, s.organisationId, at]);
    }
    await m.query(
      `UPDATE table_declarations SET organisation_id = $3 WHERE partnership_id = $1 AND organisation_id = $2
          AND NOT EXISTS (SELECT 1 FROM table_declarations t WHERE t.partnership_id = $1 AND t.organisation_id = $3)`,
      [partnershipId, predecessor, usersTo.id],
    );
    await m.query(`DELETE FROM partnership_members WHERE partnership_id = $1 AND organisation_id = $2`, [partnershipId, predecessor]);
    for (const s of succession.successors) {
      const payload = { predecessorOrganisationId: predecessor, successorOrganisationId: s.organisationId };
      await this.agreements.recordEntry(m, partnershipId, { type: SUCCEEDED, actor, payload, at });
      await this.history.append(partnershipId, [{ type: SUCCEEDED, actorUserId: actor.userId, organisationId: null, representative: false, payload, at }]);
    }
    await this.record(succession, partnershipId, { state: 'done', at: at.toISOString() });
    this.logger.log({ msg: 'Succession carried out in a partnership', successionId: succession.id, partnershipId, cycles: outcomes.size });
    return true;
  }

  /** What happened in one partnership, kept on the succession's row (held by the transaction). */
  private async record(succession: SuccessionEntity, partnershipId: string, outcome: PartnershipOutcome): Promise<void> {
    succession.outcomes = { ...succession.outcomes, [partnershipId]: outcome };
    await this.transactions.manager.query(`UPDATE organisation_successions SET outcomes = outcomes || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`, [
      succession.id,
      partnershipId,
      JSON.stringify(outcome),
    ]);
  }

  /**
   * The organisation itself, once every partnership has had its step: held when some partnership's
   * cycles refused it (it stays a member there, its people stay), otherwise its people to the first
   * successor, then dissolved, the succession done. Either way the people concerned are told.
   */
  private async finish(job: SucceedJobData): Promise<boolean> {
    const succession = await this.lock(job);
    if (!succession) return false;
    const m = this.transactions.manager;
    const at = this.clock.now();
    const predecessor = succession.predecessorOrganisationId;
    const [{ left }]: { left: number }[] = await m.query(`SELECT count(*)::int AS left FROM partnership_members WHERE organisation_id = $1`, [predecessor]);
    if (left > 0) {
      await m.query(`UPDATE organisation_successions SET state = 'held', updated_at = $2 WHERE id = $1`, [succession.id, at]);
      await this.notices.tell(succession, 'held');
      this.logger.warn({ msg: 'Succession held: the cycles of some partnerships refused it', successionId: succession.id, predecessor, partnerships: left });
      return true;
    }
    // Told before the people move: the predecessor's are among those told.
    await this.notices.tell(succession, 'done');
    const successorIds = succession.successors.map((s) => s.organisationId);
    await m.query(`UPDATE users SET organisation_id = $2 WHERE organisation_id = $1`, [predecessor, successorIds[0]]);
    await m.query(`UPDATE organisations SET dissolved_at = $2, successor_organisation_ids = $3 WHERE id = $1`, [predecessor, at, successorIds]);
    await m.query(`UPDATE organisation_successions SET state = 'done', carried_out_at = $2, updated_at = $2 WHERE id = $1`, [succession.id, at]);
    this.logger.log({ msg: 'Organisation succeeded', successionId: succession.id, predecessor, successors: successorIds });
    return true;
  }

  /** The job every scheduled succession should have, from PostgreSQL alone (the reconciler's). */
  async expectedJobs(): Promise<OutboxMessage[]> {
    const rows = await this.transactions.manager.getRepository(SuccessionEntity).findBy({ state: 'scheduled' });
    return rows.map((s) => scheduleMessage(s));
  }
}
