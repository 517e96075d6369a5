/**
 * Reorganisation (issue 35): an organisation succeeded by one or more others on a vesting date.
 * An admin schedules it (checked by the cycles' own rules, as a dry run of ORGANISATION_SUCCEEDED
 * on every unfinished cycle it co-owns), may cancel it before the date, and the worker's job
 * carries it out once (ReorganisationJobsService).
 */
import { Inject, Injectable } from '@nestjs/common';
import { type Principal, AccountsService, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { Transactions } from '@app/database';
import { type Clock, Conflict, CycleContext, Directory, Forbidden, NotFound, OrganisationKind, TransitionRefused, ValidationFailed, decide, peopleOf, restoreCycle } from '@app/domain';
import { CycleDirectory } from '@app/cycles';
import { OutboxService } from '@app/outbox';
import { JOB, type OutboxMessage, succeedJobId } from '@app/queue';
import { In } from 'typeorm';
import { PartnershipOutcome, SuccessionEntity, SuccessorAssignment } from './succession.entity';
import { SuccessionNotices } from './succession-notices';

/** The body of a succession, parsed. */
export interface SuccessionInput {
  effectiveAt: Date;
  successors: SuccessorAssignment[];
}

/** An unfinished cycle the predecessor co-owns, and the successor that takes its place there. */
export interface PlannedCycle {
  id: string;
  title: string;
  state: string;
  partnershipId: string;
  successorOrganisationId: string | null;
}

/** Everything a succession moves, and what the cycles' rules refuse. */
export interface SuccessionPlan {
  predecessorOrganisationId: string;
  partnerships: { id: string; name: string; agreement: boolean; cycles: PlannedCycle[] }[];
  users: number;
  representatives: number;
  /** Users and representatives go to the first successor listed. */
  usersTo: string;
  unassigned: { id: string; title: string }[];
  doublyAssigned: { id: string; title: string }[];
  refusals: { cycleId: string; title: string; reason: string }[];
}

export interface SuccessionView {
  id: string;
  predecessorOrganisationId: string;
  state: string;
  effectiveAt: string;
  successors: SuccessorAssignment[];
  revision: number;
  /** Partnership by partnership, once its date has come: carried out, or refused by these cycles' rules. */
  partnerships: ({ partnershipId: string } & PartnershipOutcome)[];
  carriedOutAt: string | null;
  cancelledAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SUCCEEDED = 'ORGANISATION_SUCCEEDED';

export const viewOf = (s: SuccessionEntity): SuccessionView => ({
  id: s.id,
  predecessorOrganisationId: s.predecessorOrganisationId,
  state: s.state,
  effectiveAt: s.effectiveAt.toISOString(),
  successors: s.successors,
  revision: s.revision,
  partnerships: Object.entries(s.outcomes ?? {})
    .map(([partnershipId, o]) => ({ partnershipId, ...o }))
    .sort((a, b) => a.partnershipId.localeCompare(b.partnershipId)),
  carriedOutAt: s.carriedOutAt?.toISOString() ?? null,
  cancelledAt: s.cancelledAt?.toISOString() ?? null,
});

/** A succession's body checked field by field (400 naming each problem). */
export function parseSuccession(body: unknown): SuccessionInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object' }]);
  const { effectiveAt, successors, ...extra } = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = Object.keys(extra).map((field) => ({ field, message: 'is not a field of a succession' }));
  const at = typeof effectiveAt === 'string' ? new Date(effectiveAt) : undefined;
  if (!at || Number.isNaN(at.getTime())) problems.push({ field: 'effectiveAt', message: 'must be an ISO 8601 date and time' });
  const list: SuccessorAssignment[] = [];
  if (!Array.isArray(successors) || !successors.length || successors.length > 20) problems.push({ field: 'successors', message: 'must list 1 to 20 successors' });
  else
    successors.forEach((s: unknown, i) => {
      const { organisationId, cycleIds, ...more } = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
      if (Object.keys(more).length) problems.push({ field: `successors.${i}`, message: `has unknown fields: ${Object.keys(more).join(', ')}` });
      if (typeof organisationId !== 'string' || !UUID.test(organisationId)) problems.push({ field: `successors.${i}.organisationId`, message: 'must be an organisation id' });
      if (cycleIds !== undefined && (!Array.isArray(cycleIds) || cycleIds.some((c) => typeof c !== 'string' || !UUID.test(c)))) {
        problems.push({ field: `successors.${i}.cycleIds`, message: 'must be a list of cycle ids' });
      }
      list.push({ organisationId: organisationId as string, ...(Array.isArray(cycleIds) && { cycleIds: [...new Set(cycleIds as string[])] }) });
    });
  if (new Set(list.map((s) => s.organisationId)).size !== list.length) problems.push({ field: 'successors', message: 'must be distinct organisations' });
  if (problems.length) throw new ValidationFailed(problems);
  return { effectiveAt: at!, successors: list };
}

/** Which successor takes an unfinished cycle: the only one, or the one whose cycles name it. */
export function successorOf(successors: SuccessorAssignment[], cycleId: string): string[] {
  if (successors.length === 1) return [successors[0].organisationId];
  return successors.filter((s) => s.cycleIds?.includes(cycleId)).map((s) => s.organisationId);
}

/**
 * The directory of a partnership as it will be: the successor a member with its kind, the
 * predecessor gone, the predecessor's people the first successor's (where they move).
 */
export function directoryAfter(directory: Directory, predecessor: string, successor: { id: string; name: string; kind: OrganisationKind }, usersTo: { id: string; kind: OrganisationKind }): Directory {
  const members = { ...directory.members, [successor.id]: successor.kind };
  delete members[predecessor];
  const users = Object.fromEntries(
    Object.entries(directory.users).map(([id, u]) => [id, u.organisationId === predecessor ? { ...u, organisationId: usersTo.id, kind: usersTo.kind } : u]),
  ) as Directory['users'];
  return { ...directory, members, users, organisationNames: { ...directory.organisationNames, [successor.id]: successor.name } };
}

@Injectable()
export class ReorganisationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly accounts: AccountsService,
    private readonly directories: CycleDirectory,
    private readonly outbox: OutboxService,
    private readonly notices: SuccessionNotices,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The successions scheduled for members of this partnership, soonest first, for its page's
   * banner: who becomes whom (or is split between whom) and when. The caller has checked it may see it.
   */
  async comingTo(partnershipId: string): Promise<{ predecessor: string; successors: string[]; effectiveAt: Date }[]> {
    const rows: { predecessor: string; effective_at: Date; successors: SuccessorAssignment[] }[] = await this.transactions.manager.query(
      `SELECT s.predecessor_organisation_id AS predecessor, s.effective_at, s.successors FROM organisation_successions s
       JOIN partnership_members m ON m.organisation_id = s.predecessor_organisation_id AND m.partnership_id = $1
       WHERE s.state = 'scheduled' ORDER BY s.effective_at, s.id`,
      [partnershipId],
    );
    if (!rows.length) return [];
    const ids = rows.flatMap((r) => [r.predecessor, ...r.successors.map((x) => x.organisationId)]);
    const { organisations: names } = await this.accounts.namesOf([...new Set(ids)], []);
    const name = (id: string) => names.get(id) ?? 'an organisation';
    return rows.map((r) => ({ predecessor: name(r.predecessor), successors: r.successors.map((x) => name(x.organisationId)), effectiveAt: new Date(r.effective_at) }));
  }

  /** Schedules the succession of organisation `id` (a platform admin's act). */
  async schedule(principal: Principal, id: string, body: unknown): Promise<SuccessionView> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin records a succession.');
    const input = parseSuccession(body);
    const plan = await this.plan(id, input);
    refuseUnless(plan);
    try {
      return await this.transactions.run(async () => {
        const m = this.transactions.manager;
        const repo = m.getRepository(SuccessionEntity);
        if (await repo.findOneBy({ predecessorOrganisationId: id, state: In(['scheduled', 'held']) })) throw new Conflict('A succession of this organisation is already scheduled: cancel it first.');
        const saved = await repo.save(
          repo.create({ predecessorOrganisationId: id, effectiveAt: input.effectiveAt, state: 'scheduled', successors: input.successors, createdByUserId: principal.userId }),
        );
        await this.outbox.enqueue([scheduleMessage(saved)]);
        await this.notices.tell(saved, 'scheduled');
        return viewOf(saved);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new Conflict('A succession of this organisation is already scheduled: cancel it first.');
      throw error;
    }
  }

  /** What the succession would move and what the rules refuse, changing nothing. */
  async preview(principal: Principal, id: string, body: unknown): Promise<SuccessionPlan> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin records a succession.');
    return this.plan(id, parseSuccession(body));
  }

  /** The scheduled succession of organisation `id`. */
  async get(principal: Principal, id: string): Promise<SuccessionView> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin sees a succession.');
    const found = await this.transactions.manager.getRepository(SuccessionEntity).findOneBy({ predecessorOrganisationId: id, state: In(['scheduled', 'held']) });
    if (!found) throw new NotFound('scheduled succession');
    return viewOf(found);
  }

  /** Every succession scheduled or held, soonest first, with the names an admin's page shows. */
  async pending(principal: Principal): Promise<(SuccessionView & { predecessorName: string; successorNames: string[] })[]> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin sees a succession.');
    const rows = await this.transactions.manager.getRepository(SuccessionEntity).find({ where: { state: In(['scheduled', 'held']) }, order: { effectiveAt: 'ASC', id: 'ASC' }, take: 500 });
    const { organisations: names } = await this.accounts.namesOf([...new Set(rows.flatMap((r) => [r.predecessorOrganisationId, ...r.successors.map((x) => x.organisationId)]))], []);
    const name = (id: string) => names.get(id) ?? 'an organisation';
    return rows.map((r) => ({ ...viewOf(r), predecessorName: name(r.predecessorOrganisationId), successorNames: r.successors.map((x) => name(x.organisationId)) }));
  }

  /**
   * Changes the scheduled succession before its date (another date, other successors or another
   * split), checked as a new one is: its revision goes up, so the old date's job finds itself stale.
   */
  async change(principal: Principal, id: string, body: unknown): Promise<SuccessionView> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin changes a succession.');
    const input = parseSuccession(body);
    refuseUnless(await this.plan(id, input));
    return this.transactions.run(async () => {
      const found = await this.lockPending(id);
      if (found.state !== 'scheduled' || found.effectiveAt.getTime() <= this.clock.now().getTime()) {
        throw new Conflict('The succession’s date has come: it is being carried out and can no longer be changed.');
      }
      const before = found.revision;
      Object.assign(found, { effectiveAt: input.effectiveAt, successors: input.successors, revision: before + 1, updatedAt: this.clock.now() });
      const saved = await this.transactions.manager.getRepository(SuccessionEntity).save(found);
      await this.outbox.enqueue([{ topic: 'unschedule', payload: { jobIds: [succeedJobId({ successionId: saved.id, revision: before })] } }, scheduleMessage(saved)]);
      await this.notices.tell(saved, 'changed');
      return viewOf(saved);
    });
  }

  /**
   * Resumes a held succession once the cycles that refused it allow it (checked as when it was
   * scheduled, on the partnerships it has not reached): carried out now, by a job of a new revision.
   */
  async resume(principal: Principal, id: string): Promise<SuccessionView> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin resumes a succession.');
    const held = await this.transactions.manager.getRepository(SuccessionEntity).findOneBy({ predecessorOrganisationId: id, state: 'held' });
    if (!held) throw new NotFound('held succession');
    refuseUnless(await this.plan(id, { effectiveAt: held.effectiveAt, successors: held.successors }, { due: true }));
    return this.transactions.run(async () => {
      const found = await this.lockPending(id);
      if (found.state !== 'held') throw new Conflict('The succession is not held any more.');
      Object.assign(found, { state: 'scheduled', revision: found.revision + 1, updatedAt: this.clock.now() });
      const saved = await this.transactions.manager.getRepository(SuccessionEntity).save(found);
      await this.outbox.enqueue([scheduleMessage(saved, this.clock.now())]);
      return viewOf(saved);
    });
  }

  /** Partnerships' names, for the admin's page of successions. */
  partnershipNames(ids: string[]): Promise<{ id: string; name: string }[]> {
    return this.transactions.manager.query(`SELECT id, name FROM partnerships WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The organisation's succession scheduled or held, locked for the transaction (404 when none). */
  private async lockPending(id: string): Promise<SuccessionEntity> {
    const found = await this.transactions.manager
      .getRepository(SuccessionEntity)
      .findOne({ where: { predecessorOrganisationId: id, state: In(['scheduled', 'held']) }, lock: { mode: 'pessimistic_write' } });
    if (!found) throw new NotFound('scheduled succession');
    return found;
  }

  /** Cancels the scheduled succession before its date; its job then finds it cancelled. */
  async cancel(principal: Principal, id: string): Promise<void> {
    if (!isAdmin(principal)) throw new Forbidden('Only a platform admin cancels a succession.');
    await this.transactions.run(async () => {
      const found = await this.lockPending(id);
      if (found.state === 'held') throw new Conflict('The succession has been carried out in some partnerships already: resume it once the cycles that refused it allow it.');
      if (found.effectiveAt.getTime() <= this.clock.now().getTime()) throw new Conflict('The succession’s date has come: it is being carried out and can no longer be cancelled.');
      Object.assign(found, { state: 'cancelled', cancelledAt: this.clock.now(), updatedAt: this.clock.now() });
      const saved = await this.transactions.manager.getRepository(SuccessionEntity).save(found);
      await this.outbox.enqueue([{ topic: 'unschedule', payload: { jobIds: [succeedJobId({ successionId: saved.id, revision: saved.revision })] } }]);
      await this.notices.tell(saved, 'cancelled');
    });
  }

  /**
   * The plan, checked: the organisations exist and act, the cycles are each assigned once, and
   * the dry run of ORGANISATION_SUCCEEDED on each unfinished cycle co-owned (the domain's own
   * `decide`, on the partnership as it will be).
   */
  async plan(id: string, input: SuccessionInput, { due = false }: { due?: boolean } = {}): Promise<SuccessionPlan> {
    if (!UUID.test(id)) throw new NotFound('organisation');
    const [predecessor] = await this.accounts.findOrganisations([id]);
    if (!predecessor) throw new NotFound('organisation');
    if (predecessor.dissolvedAt) throw new TransitionRefused(`${predecessor.name} is dissolved already.`);
    if (!due && input.effectiveAt.getTime() <= this.clock.now().getTime()) throw new ValidationFailed([{ field: 'effectiveAt', message: 'must be in the future' }]);
    const found = new Map((await this.accounts.findOrganisations(input.successors.map((s) => s.organisationId))).map((o) => [o.id, o]));
    const problems = input.successors.flatMap((s, i) => {
      const o = found.get(s.organisationId);
      if (s.organisationId === id) return [{ field: `successors.${i}.organisationId`, message: 'is the organisation succeeded' }];
      if (!o) return [{ field: `successors.${i}.organisationId`, message: 'is no organisation' }];
      return [];
    });
    if (problems.length) throw new ValidationFailed(problems);
    const dissolved = input.successors.map((s) => found.get(s.organisationId)!).filter((o) => o.dissolvedAt);
    if (dissolved.length) throw new TransitionRefused(`A dissolved organisation cannot succeed another: ${dissolved.map((o) => o.name).join(', ')}.`);
    const m = this.transactions.manager;
    const partnerships: { id: string; name: string; agreement: boolean }[] = await m.query(
      `SELECT p.id, p.name, EXISTS (SELECT 1 FROM agreements a WHERE a.partnership_id = p.id) AS agreement
         FROM partnership_members pm JOIN partnerships p ON p.id = pm.partnership_id
        WHERE pm.organisation_id = $1 ORDER BY p.name, p.id`,
      [id],
    );
    const rows: { id: string; title: string; state: string; partnership_id: string; snapshot: unknown }[] = partnerships.length
      ? await m.query(`SELECT id, title, state, partnership_id, snapshot FROM cycles WHERE partnership_id = ANY($1) AND state NOT IN ('closed', 'cancelled') ORDER BY created_at, id`, [
          partnerships.map((p) => p.id),
        ])
      : [];
    const usersTo = found.get(input.successors[0].organisationId)!;
    const plan: SuccessionPlan = { predecessorOrganisationId: id, partnerships: [], users: 0, representatives: 0, usersTo: usersTo.id, unassigned: [], doublyAssigned: [], refusals: [] };
    const [{ users, representatives }]: { users: number; representatives: number }[] = await m.query(
      `SELECT count(*)::int AS users, count(*) FILTER (WHERE representative)::int AS representatives FROM users WHERE organisation_id = $1`,
      [id],
    );
    Object.assign(plan, { users, representatives });
    for (const p of partnerships) {
      const cycles: PlannedCycle[] = [];
      for (const row of rows.filter((r) => r.partnership_id === p.id)) {
        const snapshot = restoreCycle(row.snapshot as never);
        if (!snapshot.context.coOwners.some((o) => o.organisationId === id)) continue;
        const to = successorOf(input.successors, row.id);
        if (!to.length) plan.unassigned.push({ id: row.id, title: row.title });
        if (to.length > 1) plan.doublyAssigned.push({ id: row.id, title: row.title });
        const successor = to.length === 1 ? found.get(to[0])! : undefined;
        cycles.push({ id: row.id, title: row.title, state: row.state, partnershipId: p.id, successorOrganisationId: successor?.id ?? null });
        if (!successor) continue;
        const reason = await this.dryRun(p.id, snapshot.context, id, successor, usersTo, (directory) => decide(snapshot, this.event(id, successor.id, directory, null)));
        if (reason) plan.refusals.push({ cycleId: row.id, title: row.title, reason });
      }
      plan.partnerships.push({ id: p.id, name: p.name, agreement: p.agreement, cycles });
    }
    return plan;
  }

  /** The directory the event is decided with: the partnership as it will be. */
  async directoryFor(
    partnershipId: string,
    context: CycleContext,
    predecessor: string,
    successor: { id: string; name: string; kind: OrganisationKind },
    usersTo: { id: string; kind: OrganisationKind },
  ) {
    return directoryAfter(await this.directories.of(partnershipId, peopleOf(context)), predecessor, successor, usersTo);
  }

  /** The event as the service sends it (the admin who scheduled it named, the system acting). */
  event(predecessor: string, successor: string, directory: Directory, userId: string | null) {
    return {
      type: SUCCEEDED,
      predecessorOrganisationId: predecessor,
      successorOrganisationId: successor,
      actor: { userId, organisationId: null, system: true },
      at: this.clock.now().toISOString(),
      directory,
    } as never;
  }

  private async dryRun(
    partnershipId: string,
    context: CycleContext,
    predecessor: string,
    successor: { id: string; name: string; kind: OrganisationKind },
    usersTo: { id: string; kind: OrganisationKind },
    decideWith: (directory: Directory) => { accepted: boolean; reason?: string },
  ): Promise<string | undefined> {
    const decision = decideWith(await this.directoryFor(partnershipId, context, predecessor, successor, usersTo));
    return decision.accepted ? undefined : (decision.reason ?? 'refused');
  }
}

/** The job that carries the succession out at its date (or `at`, a resumed one's now), named by its revision. */
export const scheduleMessage = (s: SuccessionEntity, at: Date = s.effectiveAt): OutboxMessage => ({
  topic: 'schedule',
  payload: { name: JOB.succeed, data: { successionId: s.id, revision: s.revision }, runAt: at.toISOString() },
});

/** 422 naming every cycle left unassigned or assigned twice, and every cycle whose rules refuse. */
export function refuseUnless(plan: SuccessionPlan): void {
  const lines = [
    ...plan.unassigned.map((c) => `cycle ${c.id} ("${c.title}") is assigned to no successor`),
    ...plan.doublyAssigned.map((c) => `cycle ${c.id} ("${c.title}") is assigned to more than one successor`),
    ...plan.refusals.map((r) => `cycle ${r.cycleId} ("${r.title}"): ${r.reason.replace(/\.$/, '')}`),
  ];
  if (lines.length) throw new TransitionRefused(`The succession cannot be scheduled: ${lines.join('; ')}.`);
}
