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
import { type Actor, type Clock, restoreCycle } from '@app/domain';
import { CycleEventsService } from '@app/cycles';
import { PartnershipHistoryRepository } from '@app/partnerships';
import { JOB, type OutboxMessage, type SucceedJobData } from '@app/queue';
import { SuccessionEntity } from './succession.entity';
import { ReorganisationService, SUCCEEDED, successorOf } from './reorganisation.service';

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
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Carries the succession out (idempotent: a cancelled or done one changes nothing). The job is delayed to its date, as a milestone's is. */
  async carryOut(job: SucceedJobData): Promise<SucceedOutcome> {
    const first = await this.transactions.manager.getRepository(SuccessionEntity).findOneBy({ id: job.successionId });
    if (!first || first.state !== 'scheduled') return 'stale';
    const partnershipIds: string[] = (
      await this.transactions.manager.query(`SELECT partnership_id FROM partnership_members WHERE organisation_id = $1 ORDER BY partnership_id`, [first.predecessorOrganisationId])
    ).map((r: { partnership_id: string }) => r.partnership_id);
    for (const partnershipId of partnershipIds) {
      const went = await this.transactions.run(() => this.inPartnership(job.successionId, partnershipId));
      if (!went) return 'stale';
    }
    return (await this.transactions.run(() => this.finish(job.successionId))) ? 'done' : 'stale';
  }

  /** The succession's row, held for the transaction; undefined unless still scheduled. */
  private async lock(successionId: string): Promise<SuccessionEntity | undefined> {
    const found = await this.transactions.manager.getRepository(SuccessionEntity).findOne({ where: { id: successionId }, lock: { mode: 'pessimistic_write' } });
    return found?.state === 'scheduled' ? found : undefined;
  }

  private async inPartnership(successionId: string, partnershipId: string): Promise<boolean> {
    const succession = await this.lock(successionId);
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
    // Every successor joins; what the predecessor put on the table becomes the first successor's (if it declared none).
    for (const s of succession.successors) {
      await m.query(`INSERT INTO partnership_members (partnership_id, organisation_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [partnershipId, s.organisationId, at]);
    }
    await m.query(
      `UPDATE table_declarations SET organisation_id = $3 WHERE partnership_id = $1 AND organisation_id = $2
          AND NOT EXISTS (SELECT 1 FROM table_declarations t WHERE t.partnership_id = $1 AND t.organisation_id = $3)`,
      [partnershipId, predecessor, usersTo.id],
    );
    const rows: { id: string; snapshot: unknown }[] = await m.query(`SELECT id, snapshot FROM cycles WHERE partnership_id = $1 AND state NOT IN ('closed', 'cancelled') ORDER BY id FOR UPDATE`, [
      partnershipId,
    ]);
    const items = [];
    const used = new Set<string>();
    for (const row of rows) {
      const context = restoreCycle(row.snapshot as never).context;
      if (!context.coOwners.some((o) => o.organisationId === predecessor)) continue;
      const [to] = successorOf(succession.successors, row.id);
      // A cycle begun after the succession was scheduled and left unassigned in a split: the first successor takes it.
      const successor = successors.get(to ?? usersTo.id)!;
      used.add(successor.id);
      const directory = await this.reorganisation.directoryFor(partnershipId, context, predecessor, successor, usersTo);
      items.push({ cycleId: row.id, type: SUCCEEDED, payload: { predecessorOrganisationId: predecessor, successorOrganisationId: successor.id }, actor, directory });
    }
    const refusals = await this.events.applySuccessionEvents(items);
    if (refusals.size) throw new Error(`succession ${successionId}: the cycles' rules refuse it now: ${[...refusals].map(([c, r]) => `${c}: ${r}`).join('; ')}`);
    await m.query(`DELETE FROM partnership_members WHERE partnership_id = $1 AND organisation_id = $2`, [partnershipId, predecessor]);
    for (const s of succession.successors) {
      const payload = { predecessorOrganisationId: predecessor, successorOrganisationId: s.organisationId };
      await this.agreements.recordEntry(m, partnershipId, { type: SUCCEEDED, actor, payload, at });
      await this.history.append(partnershipId, [{ type: SUCCEEDED, actorUserId: actor.userId, organisationId: null, representative: false, payload, at }]);
    }
    this.logger.log({ msg: 'Succession carried out in a partnership', successionId, partnershipId, cycles: items.length });
    return true;
  }

  /** The organisation itself: its people to the first successor, then dissolved, the succession done. */
  private async finish(successionId: string): Promise<boolean> {
    const succession = await this.lock(successionId);
    if (!succession) return false;
    const m = this.transactions.manager;
    const at = this.clock.now();
    const predecessor = succession.predecessorOrganisationId;
    const successorIds = succession.successors.map((s) => s.organisationId);
    await m.query(`UPDATE users SET organisation_id = $2 WHERE organisation_id = $1`, [predecessor, successorIds[0]]);
    await m.query(`UPDATE organisations SET dissolved_at = $2, successor_organisation_ids = $3 WHERE id = $1`, [predecessor, at, successorIds]);
    await m.query(`UPDATE organisation_successions SET state = 'done', carried_out_at = $2, updated_at = $2 WHERE id = $1`, [successionId, at]);
    this.logger.log({ msg: 'Organisation succeeded', successionId, predecessor, successors: successorIds });
    return true;
  }

  /** The job every scheduled succession should have, from PostgreSQL alone (the reconciler's). */
  async expectedJobs(): Promise<OutboxMessage[]> {
    const rows = await this.transactions.manager.getRepository(SuccessionEntity).findBy({ state: 'scheduled' });
    return rows.map((s) => ({ topic: 'schedule', payload: { name: JOB.succeed, data: { successionId: s.id }, runAt: s.effectiveAt.toISOString() } }));
  }
}
