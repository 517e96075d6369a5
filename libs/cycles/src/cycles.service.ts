import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { EntityManager } from 'typeorm';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import {
  Actor,
  CYCLE_MACHINE_VERSION,
  type Clock,
  CoOwner,
  CycleEvent,
  CycleSnapshot,
  CycleState,
  FieldProblem,
  Forbidden,
  MilestoneEventType,
  NotFound,
  ProgressEntry,
  TransitionRefused,
  UserEventType,
  ValidationFailed,
  VersionConflict,
  decide,
  definitionOf,
  nextEvents,
  persistCycle,
  restoreCycle,
  startCycle,
  stateOf,
} from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';
import { CycleMilestoneView, CycleSummaryRow, CycleView, CyclesRepository, RECENT_PROGRESS } from './cycles.repository';
import { CURRENT_HASH_SCHEME, ChainVerdict, GENESIS_HASH, chainHash, verifyChain } from './history-chain';
import { Lanes } from './lanes';

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

export type { EventInput } from '@app/domain';
import type { EventInput } from '@app/domain';

export interface CycleRecord {
  row: CycleEntity;
  snapshot: CycleSnapshot;
  /** The event types the caller may send now (from the machine). */
  nextEvents: UserEventType[];
  /** Its milestones, as read with the cycle. */
  milestones: CycleMilestoneView[];
  /** Its newest progress updates (RECENT_PROGRESS at most), oldest first. */
  progress: ProgressEntry[];
  /** How many progress updates it has in all. */
  progressCount: number;
}

export interface ProgressPage {
  items: ProgressEntry[];
  nextCursor: string | null;
}

export interface CyclePage {
  items: CycleSummaryRow[];
  nextCursor: string | null;
}

/** Milestone events for one cycle, in the order they are due. */
export interface SystemEventPlan {
  cycleId: string;
  events: { key: string; type: MilestoneEventType; payload: Record<string, unknown> }[];
}

export type SystemEventOutcome = { key: string; outcome: 'applied'; state: CycleState } | { key: string; outcome: 'moot'; reason: string };

const SYSTEM: Actor = { userId: null, organisationId: null, system: true };

/** Work that must commit or roll back with an event. */
export type InTransaction = (manager: EntityManager, state: CycleState) => Promise<void>;

type Applied =
  | { outcome: 'applied'; row: CycleEntity; entry: CycleHistoryEntity; retried?: boolean }
  | { outcome: 'refused'; kind: 'forbidden' | 'refused' | 'moot'; reason: string; version: number }
  | { outcome: 'lost-race' };

@Injectable()
export class CyclesService {
  /** This process's events to one cycle go one after another (see Lanes). */
  private readonly lanes = new Lanes();

  constructor(
    private readonly cycles: CyclesRepository,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
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
    const id = await this.cycles.transaction((manager) =>
      this.insertCycle(manager, {
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
    return this.get(principal, id);
  }

  async get(principal: Principal, id: string): Promise<CycleRecord> {
    const { row, ...read } = await this.loadVisible(principal, id);
    return this.record(row, principal, read);
  }

  async list(
    principal: Principal,
    query: { partnershipId?: string; state?: CycleState; limit: number; cursor?: string },
  ): Promise<CyclePage> {
    if (query.partnershipId) await this.partnerships.requireVisible(principal, query.partnershipId);
    let after: { createdAt: string; id: string } | undefined;
    if (query.cursor) {
      // A cursor is a cycle of this list: one the caller can see, of the partnership asked for.
      const position = await this.cycles.cursorOf(query.cursor, principal.organisationId);
      const fits =
        position && (position.member || isAdmin(principal)) && (!query.partnershipId || position.partnershipId === query.partnershipId);
      if (!fits) throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor this list gave out' }]);
      after = { createdAt: position.createdAt, id: position.id };
    }
    const visibleTo = isAdmin(principal) ? null : principal.organisationId;
    if (!isAdmin(principal) && !visibleTo) return { items: [], nextCursor: null };
    const rows = await this.cycles.list({
      visibleToOrganisationId: visibleTo,
      partnershipId: query.partnershipId,
      state: query.state,
      after,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  /** The cycles the caller's organisation co-owns or the caller reviews or facilitates, newest first. */
  async involving(principal: Principal, limit: number): Promise<CycleRecord[]> {
    if (!principal.organisationId) return [];
    const ids = await this.cycles.involving(principal.organisationId, principal.userId, limit);
    return Promise.all(ids.map((id) => this.get(principal, id)));
  }

  async history(principal: Principal, id: string): Promise<CycleHistoryEntity[]> {
    await this.loadVisible(principal, id);
    return this.cycles.history(id);
  }

  /** Every progress update, oldest first, a page at a time (the view carries only the newest). */
  async progress(principal: Principal, id: string, page: { cursor?: string; limit: number }): Promise<ProgressPage> {
    await this.loadVisible(principal, id);
    // A cursor is the history position of the last update of the page before.
    if (page.cursor !== undefined && !/^\d{1,9}$/.test(page.cursor)) {
      throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor this list gave out' }]);
    }
    const after = page.cursor === undefined ? 0 : Number(page.cursor);
    const rows = await this.cycles.progressPage(id, after, page.limit + 1);
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: rows.length > page.limit ? String(items[items.length - 1].seq) : null };
  }

  async verify(principal: Principal, id: string): Promise<ChainVerdict> {
    await this.loadVisible(principal, id);
    return verifyChain(await this.cycles.history(id));
  }

  /**
   * Sends a person's event. With `expectedVersion` (If-Match) a stale version is a conflict;
   * without it, a write that loses a race is decided again on the fresh state.
   */
  send(principal: Principal, id: string, input: EventInput, expectedVersion?: number): Promise<CycleRecord> {
    return this.lanes.run(id, () => this.sendNow(principal, id, input, expectedVersion));
  }

  private async sendNow(principal: Principal, id: string, input: EventInput, expectedVersion?: number): Promise<CycleRecord> {
    const { row, ...read } = await this.loadVisible(principal, id);
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflict(row.version);
    const actor: Actor = { userId: principal.userId, organisationId: principal.organisationId };
    const event = () => ({ ...withGeneratedIds(input), actor, at: this.clock.now().toISOString() }) as CycleEvent;
    const applied = await this.applyWithRetry(row, event, expectedVersion);
    if (applied.outcome === 'applied') {
      // Someone else's event landed first: read everything again rather than guess what it added.
      if (applied.retried) return this.get(principal, id);
      // As read, plus this event (a person's event never changes milestones).
      return this.record(applied.row, principal, withEntry(read, applied.entry));
    }
    if (applied.outcome === 'refused') {
      throw applied.kind === 'forbidden' ? new Forbidden(applied.reason) : new TransitionRefused(applied.reason);
    }
    throw new VersionConflict(expectedVersion === undefined ? undefined : (await this.mustFind(id)).version);
  }

  /**
   * Sends a milestone's event as the system, through the same path as people's events. Returns
   * `moot` when the cycle's moment for it has passed, with the cycle version that says so.
   */
  async sendSystemEvent(
    /** The cycle's id, or its row when the caller has just read it. */
    cycle: string | CycleEntity,
    type: MilestoneEventType,
    payload: Record<string, unknown> = {},
    /** Runs in the transaction that applies the event (mark the milestone fired); throw to undo. */
    alongside?: InTransaction,
  ): Promise<{ outcome: 'applied'; state: CycleState } | { outcome: 'moot'; reason: string; cycleVersion: number }> {
    const row = typeof cycle === 'string' ? await this.mustFind(cycle) : cycle;
    const event = () =>
      ({ type, ...payload, actor: { userId: null, organisationId: null, system: true }, at: this.clock.now().toISOString() }) as CycleEvent;
    const applied = await this.applyWithRetry(row, event, undefined, alongside);
    if (applied.outcome === 'applied') return { outcome: 'applied', state: applied.row.state as CycleState };
    // Moot as of this version of the cycle: the caller settles it only if the cycle has not moved since.
    if (applied.outcome === 'refused') return { outcome: 'moot', reason: applied.reason, cycleVersion: applied.version };
    throw new VersionConflict(undefined);
  }

  /**
   * First an optimistic compare-and-set on the version read. A write that loses the race (or
   * finds the row held by another transaction) is tried again holding the row's lock, so it
   * cannot lose twice: decided again on the fresh state, or, with `expectedVersion` (If-Match),
   * refused as a conflict if the cycle has moved on.
   */
  private async applyWithRetry(
    row: CycleEntity,
    event: () => CycleEvent,
    expectedVersion: number | undefined,
    alongside?: InTransaction,
  ): Promise<Applied> {
    const first = await this.writeOptimistic(row, event(), alongside);
    if (first.outcome !== 'lost-race') return first;
    return this.cycles.transaction(async (manager) => {
      const fresh = await this.cycles.findForUpdate(manager, row.id);
      if (!fresh) throw new NotFound('cycle');
      if (expectedVersion !== undefined && fresh.version !== expectedVersion) return { outcome: 'lost-race' } as const;
      const second = await this.write(manager, fresh, event(), alongside);
      return second.outcome === 'applied' ? { ...second, retried: true } : second;
    });
  }

  /**
   * Records something that happened to the cycle without moving it (a milestone scheduled, moved
   * or cancelled), in the caller's transaction: the row is locked, the version bumped and the
   * entry chained like any other.
   */
  async recordEntry(
    manager: EntityManager,
    cycleId: string,
    entry: { type: string; actor: Actor; payload: Record<string, unknown>; at: Date },
  ): Promise<void> {
    await this.recordEntries(manager, [{ cycleId, ...entry }]);
  }

  /**
   * Milestone events of many cycles at once (a storm), in the caller's transaction: takes the
   * cycles' locks in id order, decides each cycle's events in turn (each on the state the one
   * before it left), and writes every cycle that moved, with its history entries, in a few
   * statements. A cycle whose events would do more than change its state (open an iteration) is
   * left out of the answer, for the one-at-a-time path.
   */
  async applySystemEvents(manager: EntityManager, plans: SystemEventPlan[]): Promise<Map<string, SystemEventOutcome[]>> {
    const rows = new Map(
      (await this.cycles.lockMany(manager, [...new Set(plans.map((p) => p.cycleId))].sort())).map((r) => [r.id, r]),
    );
    const answers = new Map<string, SystemEventOutcome[]>();
    const moved: { id: string; snapshot: Record<string, unknown>; state: string; version: number; historyHash: string; at: Date }[] = [];
    const entries: CycleHistoryEntity[] = [];
    for (const plan of plans) {
      const row = rows.get(plan.cycleId);
      if (!row) continue;
      let snapshot = restoreCycle(row.snapshot);
      let head: CycleEntity = row;
      const outcomes: SystemEventOutcome[] = [];
      const written: CycleHistoryEntity[] = [];
      let needsOneByOne = false;
      for (const { key, type, payload } of plan.events) {
        const event = { type, ...payload, actor: SYSTEM, at: this.clock.now().toISOString() } as CycleEvent;
        const decision = decide(snapshot, event);
        if (!decision.accepted) {
          outcomes.push({ key, outcome: 'moot', reason: decision.reason });
          continue;
        }
        if (decision.effects.length) {
          needsOneByOne = true;
          break;
        }
        const entry = this.historyEntryOf(head, event, decision.state);
        written.push(entry);
        snapshot = decision.snapshot;
        head = { ...head, version: head.version + 1, historyHash: entry.hash, state: decision.state };
        outcomes.push({ key, outcome: 'applied', state: decision.state });
      }
      if (needsOneByOne) continue;
      answers.set(plan.cycleId, outcomes);
      if (written.length) {
        moved.push({ id: row.id, snapshot: persistCycle(snapshot), state: head.state, version: head.version, historyHash: head.historyHash, at: written[written.length - 1].at });
        entries.push(...written);
      }
    }
    await this.cycles.writeLocked(manager, moved, CYCLE_MACHINE_VERSION);
    await this.cycles.appendHistoryMany(manager, entries);
    return answers;
  }

  /** Takes the rows' locks in the caller's transaction, in id order, as every writer does. */
  async lockForEntries(manager: EntityManager, cycleIds: string[]): Promise<void> {
    await this.cycles.lockMany(manager, [...new Set(cycleIds)].sort());
  }

  /** `recordEntry` for many cycles at once, in a few statements (an anchor move touches hundreds). */
  async recordEntries(
    manager: EntityManager,
    items: { cycleId: string; type: string; actor: Actor; payload: Record<string, unknown>; at: Date }[],
  ): Promise<void> {
    const rows = new Map(
      (await this.cycles.lockMany(manager, [...new Set(items.map((i) => i.cycleId))].sort())).map((r) => [r.id, { ...r }]),
    );
    const entries = items.map((item) => {
      const row = rows.get(item.cycleId);
      if (!row) throw new NotFound('cycle');
      const entry = this.entry(row.id, row.version + 1, row.historyHash, {
        type: item.type,
        actorUserId: item.actor.userId,
        organisationId: item.actor.organisationId,
        fromState: row.state,
        toState: row.state,
        payload: item.payload,
        at: item.at,
      });
      row.version += 1;
      row.historyHash = entry.hash;
      return entry;
    });
    await this.cycles.advanceMany(manager, [...rows.values()]);
    await this.cycles.appendHistoryMany(manager, entries);
  }

  /** The cycle as stored, for other features' services (no visibility check). */
  find(id: string): Promise<CycleEntity | null> {
    return this.cycles.find(id);
  }

  /** The cycle, if the caller may see it, with its snapshot and the caller's next events. */
  async visible(principal: Principal, id: string): Promise<CycleRecord> {
    const { row, ...read } = await this.loadVisible(principal, id);
    return this.record(row, principal, read);
  }

  // ----- the write path ------------------------------------------------------------------------

  /**
   * The common case in one statement (compare-and-set and history together); effects and work
   * alongside need a transaction.
   */
  private async writeOptimistic(row: CycleEntity, event: CycleEvent, alongside?: InTransaction): Promise<Applied> {
    const snapshot = restoreCycle(row.snapshot);
    const decision = decide(snapshot, event);
    if (!decision.accepted) return { outcome: 'refused', kind: decision.kind, reason: decision.reason, version: row.version };
    if (decision.effects.length || alongside) return this.cycles.transaction((manager) => this.write(manager, row, event, alongside));
    const entry = this.historyEntryOf(row, event, decision.state);
    const persisted = persistCycle(decision.snapshot);
    const won = await this.cycles.compareAndSetWithHistory({
      id: row.id,
      expectedVersion: row.version,
      changes: { snapshot: persisted, state: decision.state, historyHash: entry.hash, machineVersion: CYCLE_MACHINE_VERSION },
      entry,
    });
    if (!won) return { outcome: 'lost-race' };
    return this.applied(row, persisted, decision.state, entry, row.nextCycleId);
  }

  private historyEntryOf(row: CycleEntity, event: CycleEvent, toState: CycleState): CycleHistoryEntity {
    const { type, actor, at, ...payload } = event as CycleEvent & Record<string, unknown>;
    return this.entry(row.id, row.version + 1, row.historyHash, {
      type,
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      fromState: row.state,
      toState,
      payload,
      at: new Date(at),
    });
  }

  private applied(
    row: CycleEntity,
    snapshot: Record<string, unknown>,
    state: CycleState,
    entry: CycleHistoryEntity,
    nextCycleId: string | null,
  ): Applied {
    return {
      outcome: 'applied',
      row: { ...row, snapshot, state, version: row.version + 1, historyHash: entry.hash, nextCycleId, updatedAt: entry.at },
      entry,
    };
  }

  /** Decides the event on `row` and, if accepted, writes snapshot, history and effects with `manager`. */
  private async write(manager: EntityManager, row: CycleEntity, event: CycleEvent, alongside?: InTransaction): Promise<Applied> {
    const snapshot = restoreCycle(row.snapshot);
    const decision = decide(snapshot, event);
    if (!decision.accepted) return { outcome: 'refused', kind: decision.kind, reason: decision.reason, version: row.version };
    const entry = this.historyEntryOf(row, event, decision.state);
    const persisted = persistCycle(decision.snapshot);
    const won = await this.cycles.compareAndSet(manager, row.id, row.version, {
      snapshot: persisted,
      state: decision.state,
      historyHash: entry.hash,
      machineVersion: CYCLE_MACHINE_VERSION,
      at: entry.at,
    });
    if (!won) return { outcome: 'lost-race' };
    await this.cycles.appendHistory(manager, entry);
    let nextCycleId: string | null = row.nextCycleId;
    if (decision.effects.some((e) => e.type === 'openNextIteration')) {
      nextCycleId = await this.openNextIteration(manager, row, decision.snapshot, event.actor, entry.at);
      await this.cycles.linkNext(manager, row.id, nextCycleId);
    }
    if (alongside) await alongside(manager, decision.state);
    return this.applied(row, persisted, decision.state, entry, nextCycleId);
  }


  /** Iteration n+1: same partnership, co-owners, panel and outcomes; the last problem statement
   *  as its first revision; the learning readable from it. In the closing transaction. */
  private openNextIteration(
    manager: EntityManager,
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
    return this.insertCycle(manager, {
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
    manager: EntityManager,
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
    const entry = this.entry(id, 1, GENESIS_HASH, {
      type: 'CREATED',
      actorUserId: cycle.actor.userId,
      organisationId: cycle.actor.organisationId,
      fromState: null,
      toState: stateOf(cycle.snapshot),
      payload: { title: cycle.title, iteration: cycle.iteration, previousCycleId: cycle.previousCycleId },
      at: cycle.at,
    });
    await this.cycles.insert(manager, {
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
    await this.cycles.appendHistory(manager, entry);
    return id;
  }

  private entry(
    cycleId: string,
    seq: number,
    prevHash: string,
    content: Omit<CycleHistoryEntity, 'cycleId' | 'seq' | 'prevHash' | 'hash' | 'hashScheme' | 'cycle'>,
  ): CycleHistoryEntity {
    const full = { cycleId, seq, ...content };
    return { ...full, prevHash, hash: chainHash(prevHash, full, CURRENT_HASH_SCHEME), hashScheme: CURRENT_HASH_SCHEME };
  }

  // ----- reading -------------------------------------------------------------------------------

  private record(row: CycleEntity, principal: Principal, { milestones, progress, progressCount }: ReadAlong): CycleRecord {
    const snapshot = restoreCycle(row.snapshot);
    return {
      row,
      snapshot,
      nextEvents: nextEvents(snapshot, { userId: principal.userId, organisationId: principal.organisationId }),
      milestones,
      progress,
      progressCount,
    };
  }

  private async mustFind(id: string): Promise<CycleEntity> {
    const row = await this.cycles.find(id);
    if (!row) throw new NotFound('cycle');
    return row;
  }

  /** The cycle, if the caller's organisation belongs to its partnership (admins see all). */
  private async loadVisible(principal: Principal, id: string): Promise<CycleView> {
    const found = await this.cycles.view(id, principal.organisationId);
    if (!found || !(found.member || isAdmin(principal))) throw new NotFound('cycle');
    return found;
  }

  // ----- validation of a new cycle ------------------------------------------------------------

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

/** What is read with a cycle's row for its view. */
type ReadAlong = Pick<CycleView, 'milestones' | 'progress' | 'progressCount'>;

/** What was read, plus the progress update a history entry records (a person's event changes no milestone). */
function withEntry(read: ReadAlong, entry: CycleHistoryEntity): ReadAlong {
  if (entry.type !== 'RECORD_PROGRESS') return read;
  const { note, readings } = entry.payload as { note: string; readings?: ProgressEntry['readings'] };
  const added: ProgressEntry = {
    seq: entry.seq,
    note,
    readings: readings ?? [],
    organisationId: entry.organisationId!,
    userId: entry.actorUserId!,
    at: entry.at.toISOString(),
  };
  return { ...read, progress: [...read.progress, added].slice(-RECENT_PROGRESS), progressCount: read.progressCount + 1 };
}

/** Options and proposals get their ids when they are sent (the catalogue says which field). */
function withGeneratedIds(input: EventInput): EventInput {
  const field = definitionOf(input.type)?.generates;
  return field ? { ...input, [field]: randomUUID() } : input;
}
