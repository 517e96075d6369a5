/** Opening cycles: a new one in draft, and the next iteration when a review chooses to iterate. */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { Principal } from '@app/accounts';
import { Actor, CYCLE_MACHINE_VERSION, type Clock, CoOwner, CycleSnapshot, Forbidden, Team, ValidationFailed, peopleOf, persistCycle, startCycle, stateOf, tasksOf, teamProblems } from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';
import { CycleViewsRepository } from './cycle-views.repository';
import { CycleWritesRepository } from './cycle-writes.repository';
import { CycleQueriesService, CycleRecord } from './cycle-queries.service';
import { GENESIS_HASH, actorColumns, chainedEntry } from '@app/history';
import { Transactions } from '@app/database';
import { CycleDirectory } from './cycle-directory.service';
import { TaskNotes } from './task-notes.service';

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
    private readonly cycles: CycleWritesRepository,
    private readonly views: CycleViewsRepository,
    private readonly partnerships: PartnershipsService,
    private readonly directory: CycleDirectory,
    private readonly taskNotes: TaskNotes,
    private readonly queries: CycleQueriesService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: NewCycle): Promise<CycleRecord> {
    await this.partnerships.requireVisible(principal, input.partnershipId);
    await this.partnerships.requireOpen(input.partnershipId);
    if (principal.organisationKind !== 'commissioner' || !principal.organisationId) {
      throw new Forbidden('Only commissioners of the partnership open cycles.');
    }
    const team: Team = {
      coOwners: coOwnersOf(input, principal.organisationId),
      panelUserIds: unique(input.panelUserIds),
      facilitatorUserIds: unique(input.facilitatorUserIds ?? []),
    };
    const directory = await this.directory.of(input.partnershipId, peopleOf(team));
    const problems = teamProblems(team, directory);
    const outcomeIds = unique(input.outcomeIds ?? []);
    const missing = outcomeIds.filter((id) => !directory.outcomes[id]);
    if (missing.length) problems.push({ field: 'outcomeIds', message: `not outcomes of this partnership: ${missing.join(', ')}` });
    if (problems.length) throw new ValidationFailed(problems);
    const snapshot = startCycle({
      ...team,
      outcomeIds,
      metrics: outcomeIds.flatMap((outcomeId) => directory.outcomes[outcomeId].map((m) => ({ id: m.id, name: m.name, outcomeId }))),
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
  async openNextIteration(row: CycleEntity, closed: CycleSnapshot, actor: Actor, at: Date): Promise<string> {
    const context = closed.context;
    const revision = context.problem.revisions.at(-1);
    // Its text is kept apart from the snapshot (cycle_texts): written with the revision, it is there.
    const statement = revision && (revision.statement ?? (await this.views.revisionStatement(row.id, revision.number)));
    if (revision && statement === undefined) throw new Error(`cycle ${row.id} has no text for its problem revision ${revision.number}`);
    const last = revision && { statement: statement! };
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

  private async insertCycle(cycle: {
    partnershipId: string;
    title: string;
    iteration: number;
    previousCycleId: string | null;
    snapshot: CycleSnapshot;
    inheritedLearning: Record<string, unknown> | null;
    actor: Actor;
    at: Date;
  }): Promise<string> {
    const id = randomUUID();
    const entry: CycleHistoryEntity = {
      cycleId: id,
      ...chainedEntry(id, 1, GENESIS_HASH, {
        type: 'CREATED',
        ...actorColumns(cycle.actor),
        fromState: null,
        toState: stateOf(cycle.snapshot),
        payload: { title: cycle.title, iteration: cycle.iteration, previousCycleId: cycle.previousCycleId },
        at: cycle.at,
      }),
    };
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
      progressCount: 0,
      historyHash: entry.hash,
      inheritedLearning: cycle.inheritedLearning,
      createdByUserId: cycle.actor.userId,
    });
    await this.cycles.appendHistory(entry);
    // A new cycle's own tasks (iteration n+1 waits for its commissioners to launch it).
    await this.cycles.insertNotes(await this.taskNotes.of({ id, title: cycle.title }, 1, tasksOf(cycle.snapshot)));
    return id;
  }
}

/** The co-owners a new cycle names, role by role; its creator's organisation among the commissioners. */
function coOwnersOf(input: NewCycle, callerOrganisationId: string): CoOwner[] {
  const roles: [CoOwner['role'], string[]][] = [
    ['commissioner', [callerOrganisationId, ...input.commissionerOrganisationIds]],
    ['provider', input.providerOrganisationIds],
    ['community', input.communityOrganisationIds ?? []],
  ];
  return roles.flatMap(([role, ids]) => unique(ids).map((organisationId) => ({ organisationId, role })));
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
