import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { AccountsService, Principal } from '@app/accounts';
import {
  Actor,
  CYCLE_MACHINE_VERSION,
  type Clock,
  CoOwner,
  CycleSnapshot,
  FieldProblem,
  Forbidden,
  ValidationFailed,
  persistCycle,
  startCycle,
  stateOf,
} from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { CycleEntity } from './cycle.entity';
import { CyclesRepository } from './cycles.repository';
import { CycleQueriesService, CycleRecord } from './cycle-queries.service';
import { GENESIS_HASH, chainedEntry } from './history-chain';
import { Transactions } from '@app/database';

export interface NewCycle {
  partnershipId: string;
  title: string;
  commissionerOrganisationIds: string[];
  providerOrganisationIds: string[];
  communityOrganisationIds?: string[];
  panelUserIds: string[];
  facilitatorUserIds?: string[];
  outcomeIds?: string[];
}

/** Opening cycles: a new one in draft, and iteration n+1 when a review chooses to iterate. */
@Injectable()
export class CycleCreationService {
  constructor(
    private readonly cycles: CyclesRepository,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
    private readonly queries: CycleQueriesService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: NewCycle): Promise<CycleRecord> {
    await this.partnerships.requireVisible(principal, input.partnershipId);
    if (principal.organisationKind !== 'commissioner' || !principal.organisationId) {
      throw new Forbidden('Only commissioners of the partnership open cycles.');
    }
    const members = new Map((await this.partnerships.memberKinds(input.partnershipId)).map((m) => [m.organisationId, m.kind]));
    const coOwners = this.coOwners(input, principal.organisationId, members);
    await this.requireMemberUsers(members, input.panelUserIds, 'panelUserIds');
    await this.requireMemberUsers(members, input.facilitatorUserIds ?? [], 'facilitatorUserIds');
    const outcomeIds = unique(input.outcomeIds ?? []);
    const outcomes = (await this.partnerships.outcomes(input.partnershipId)).filter((o) => outcomeIds.includes(o.id));
    const missing = outcomeIds.filter((id) => !outcomes.some((o) => o.id === id));
    if (missing.length) {
      throw new ValidationFailed([{ field: 'outcomeIds', message: `not outcomes of this partnership: ${missing.join(', ')}` }]);
    }
    const snapshot = startCycle({
      coOwners,
      panelUserIds: unique(input.panelUserIds),
      facilitatorUserIds: unique(input.facilitatorUserIds ?? []),
      outcomeIds,
      metrics: outcomes.flatMap((o) => o.metrics.map((m) => ({ id: m.id, name: m.name, outcomeId: o.id }))),
    });
    const id = await this.transactions.run(() =>
      this.insertCycle({
        partnershipId: input.partnershipId,
        title: input.title.trim(),
        iteration: 1,
        previousCycleId: null,
        snapshot,
        inheritedLearning: null,
        actor: { userId: principal.userId, organisationId: principal.organisationId },
        at: this.clock.now(),
      }),
    );
    return this.queries.get(principal, id);
  }

  /** Iteration n+1: same partnership, co-owners, panel and outcomes; the last problem statement
   *  as its first revision; the learning readable from it. In the closing transaction. */
  openNextIteration(
    row: CycleEntity,
    closed: CycleSnapshot,
    actor: Actor,
    at: Date,
  ): Promise<string> {
    const context = closed.context;
    const last = context.problem.revisions.at(-1);
    const snapshot = startCycle({
      coOwners: context.coOwners,
      panelUserIds: context.panelUserIds,
      facilitatorUserIds: context.facilitatorUserIds,
      outcomeIds: context.outcomeIds,
      metrics: context.metrics,
      carriedStatement: last ? { statement: last.statement, at: at.toISOString() } : undefined,
    });
    return this.insertCycle({
      partnershipId: row.partnershipId,
      title: row.title,
      iteration: row.iteration + 1,
      previousCycleId: row.id,
      snapshot,
      inheritedLearning: {
        fromCycleId: row.id,
        iteration: row.iteration,
        learnings: context.learnings,
        signOffs: context.signOffs,
        closure: context.closure,
      },
      actor,
      at,
    });
  }

  private async insertCycle(
    cycle: {
      partnershipId: string;
      title: string;
      iteration: number;
      previousCycleId: string | null;
      snapshot: CycleSnapshot;
      inheritedLearning: Record<string, unknown> | null;
      actor: Actor;
      at: Date;
    },
  ): Promise<string> {
    const id = randomUUID();
    const entry = chainedEntry(id, 1, GENESIS_HASH, {
      type: 'CREATED',
      actorUserId: cycle.actor.userId,
      organisationId: cycle.actor.organisationId,
      fromState: null,
      toState: stateOf(cycle.snapshot),
      payload: { title: cycle.title, iteration: cycle.iteration, previousCycleId: cycle.previousCycleId },
      at: cycle.at,
    });
    await this.cycles.insert({
      id,
      partnershipId: cycle.partnershipId,
      title: cycle.title,
      iteration: cycle.iteration,
      previousCycleId: cycle.previousCycleId,
      nextCycleId: null,
      state: stateOf(cycle.snapshot),
      snapshot: persistCycle(cycle.snapshot),
      machineVersion: CYCLE_MACHINE_VERSION,
      version: 1,
      historyHash: entry.hash,
      inheritedLearning: cycle.inheritedLearning,
      createdByUserId: cycle.actor.userId,
    });
    await this.cycles.appendHistory(entry);
    return id;
  }

  private coOwners(input: NewCycle, callerOrganisationId: string, members: Map<string, string>): CoOwner[] {
    const problems: FieldProblem[] = [];
    const roles: [keyof NewCycle & string, CoOwner['role'], string[]][] = [
      ['commissionerOrganisationIds', 'commissioner', unique([callerOrganisationId, ...input.commissionerOrganisationIds])],
      ['providerOrganisationIds', 'provider', unique(input.providerOrganisationIds)],
      ['communityOrganisationIds', 'community', unique(input.communityOrganisationIds ?? [])],
    ];
    const seen = new Set<string>();
    const coOwners: CoOwner[] = [];
    for (const [field, role, ids] of roles) {
      for (const organisationId of ids) {
        const kind = members.get(organisationId);
        if (!kind) problems.push({ field, message: `${organisationId} is not a member of the partnership` });
        else if (role === 'commissioner' && kind !== 'commissioner') {
          problems.push({ field, message: `${organisationId} is a ${kind} organisation, not a commissioner` });
        } else if (role !== 'commissioner' && kind === 'commissioner') {
          problems.push({ field, message: `${organisationId} is a commissioner; name it among the commissioners` });
        } else if (seen.has(organisationId)) {
          problems.push({ field, message: `${organisationId} already has another role in this cycle` });
        }
        seen.add(organisationId);
        coOwners.push({ organisationId, role });
      }
    }
    if (problems.length) throw new ValidationFailed(problems);
    return coOwners;
  }

  private async requireMemberUsers(members: Map<string, string>, userIds: string[], field: string): Promise<void> {
    if (!userIds.length) return;
    const users = await this.accounts.findUsers(unique(userIds));
    const outside = unique(userIds).filter((id) => {
      const user = users.find((u) => u.id === id);
      return !user || !user.organisationId || !members.has(user.organisationId);
    });
    if (outside.length) {
      throw new ValidationFailed([{ field, message: `not users of member organisations: ${outside.join(', ')}` }]);
    }
  }

}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
