/** The cycles' write path: events decided by the machine, chained and persisted with their history. */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '@app/config';
import { Principal } from '@app/accounts';
import {
  Actor,
  type Clock,
  Conflict,
  CycleEvent,
  CycleState,
  type CycleTexts,
  type EventInput,
  Forbidden,
  MilestoneEventType,
  NotFound,
  ProgressEntry,
  TransitionRefused,
  VersionConflict,
  definitionOf,
  restoreCycle,
  shownTexts,
  splitTexts,
  textsSize,
} from '@app/domain';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';
import { RECENT_PROGRESS } from './cycle-rows';
import { type CycleParts, CycleStore } from './cycle-store';
import { CycleWritesRepository } from './cycle-writes.repository';
import { Lanes } from './lanes';
import { CycleQueriesService, CycleRecord, ReadAlong } from './cycle-queries.service';
import { CycleCreationService } from './cycle-creation.service';
import { CycleChain, type RecordedItem } from './cycle-chain';
import { Transactions } from '@app/database';
import { cycleEvents } from '@app/http';
import { CycleDirectory } from './cycle-directory.service';
import { TaskNotes } from './task-notes.service';
import type { EventWrite, WriteOutcome } from './cycle-writes.repository';

/** Milestone events for one cycle, in the order they are due. */
export interface SystemEventPlan {
  cycleId: string;
  events: { key: string; type: MilestoneEventType; payload: Record<string, unknown> }[];
}

export type SystemEventOutcome = { key: string; outcome: 'applied'; state: CycleState } | { key: string; outcome: 'moot'; reason: string };

const SYSTEM: Actor = { userId: null, organisationId: null, system: true };

/** What the service's event (a handover) did to one cycle: written (the row before it and the entry's seq), or refused by the machine. */
export type ServiceEventOutcome = { outcome: 'applied'; before: CycleEntity; seq: number } | { outcome: 'refused'; reason: string };

/** Work that must commit or roll back with an event. */
export type InTransaction = (state: CycleState) => Promise<void>;

type Applied =
  | { outcome: 'applied'; row: CycleEntity; entry: CycleHistoryEntity; retried?: boolean }
  | { outcome: 'refused'; kind: 'forbidden' | 'refused' | 'moot'; reason: string; version: number }
  | { outcome: 'lost-race' };

/**
 * The write path: decides events with the machine, chains their history entries and persists
 * both, for people's events, milestones' events (one at a time or a storm in bulk) and entries
 * that record without moving the cycle (milestones scheduled, moved, cancelled).
 */
export interface SendOptions {
  /** The caller asked for a minimal answer (`Prefer: return=minimal`): the row's state, version and next events are enough. */
  minimal?: boolean;
  /** The answer shows every problem revision and option (`?view=full`), so every text: the cycle as held (with the texts its view shows) is not enough. */
  full?: boolean;
}

@Injectable()
export class CycleEventsService {
  constructor(
    private readonly cycles: CycleWritesRepository,
    private readonly store: CycleStore,
    private readonly queries: CycleQueriesService,
    private readonly creation: CycleCreationService,
    private readonly transactions: Transactions,
    private readonly directory: CycleDirectory,
    private readonly taskNotes: TaskNotes,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  /** This process's events to one cycle go one after another (see Lanes). */
  private readonly lanes = new Lanes();

  /*
   * Cycles as this process last wrote them (row and view) are kept in the store (its `written` part). The next person's event to one is
   * decided on it and written with a compare-and-set on its version, without reading the cycle
   * first (one round trip instead of two). Everything the view shows moves the version when it
   * changes, except the milestones' statuses, who may see the cycle and the partnership's
   * archiving: the write statement checks those and answers the milestones as they are. A write
   * that finds the cycle moved on (another process, a milestone) or not visible goes the usual way.
   * (So a change made to a cycle outside the application must move its version: a migration that
   * rewrites snapshots runs before the processes start.)
   */
  /**
   * Sends a person's event. With `expectedVersion` (If-Match) a stale version is a conflict;
   * without it, a write that loses a race is decided again on the fresh state.
   */
  send(principal: Principal, id: string, input: EventInput, expectedVersion?: number, options: SendOptions = {}): Promise<CycleRecord> {
    return this.lanes.run(id, () => this.sendNow(principal, id, input, expectedVersion, options));
  }

  private async sendNow(principal: Principal, id: string, input: EventInput, expectedVersion: number | undefined, options: SendOptions): Promise<CycleRecord> {
    const held = this.store.get(id)?.parts.written;
    if (held && (options.minimal || (held.read.texts && !options.full)) && (expectedVersion === undefined || expectedVersion === held.row.version)) {
      const written = await this.sendOnHeld(principal, held, input, options);
      if (written) return written;
    }
    // A minimal answer shows no texts: they are not read.
    const [{ row, ...read }, actor] = await Promise.all([this.queries.loadVisible(principal, id, !options.minimal), this.queries.actorOf(principal)]);
    if (read.archived) throw new Conflict('The partnership is archived: it and its cycles are read-only.');
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflict(row.version);
    // Entries whose rules read the partnership and the people named get them looked up first.
    const directory = definitionOf(input.type)?.directory ? await this.directory.forEvent(row.partnershipId, restoreCycle(row.snapshot).context, input) : undefined;
    const event = () => ({ ...withGeneratedIds(input), actor, at: this.clock.now().toISOString(), ...(directory && { directory }) }) as CycleEvent;
    const applied = await this.applyWithRetry(row, event, expectedVersion);
    cycleEvents.inc({ type: input.type, outcome: applied.outcome === 'applied' ? 'accepted' : applied.outcome === 'refused' ? applied.kind : 'conflict' });
    if (applied.outcome === 'applied') {
      // Someone else's event landed first: read everything again rather than guess what it added
      // (a minimal answer carries only what the written row says).
      if (applied.retried) {
        this.store.drop(id, 'written');
        if (!options.minimal) return this.queries.get(principal, id);
      }
      // As read, plus this event (a person's event never changes milestones).
      const after = withEntry(read, applied.entry);
      if (!applied.retried) this.hold(applied.row, after);
      return this.queries.recordOf(applied.row, actor, after);
    }
    if (applied.outcome === 'refused') {
      throw applied.kind === 'forbidden' ? new Forbidden(applied.reason) : new TransitionRefused(applied.reason);
    }
    throw new VersionConflict(expectedVersion === undefined ? undefined : (await this.queries.mustFind(id)).version);
  }

  /**
   * A person's event decided on the cycle as this process holds it and written in one statement
   * that also checks the caller may still see it and its partnership is not archived. Undefined
   * when that cannot be done here (the event needs more than the held cycle, the rules refuse it
   * on what is held, or the cycle moved on): the caller then goes the usual way, which reads the
   * cycle and decides again (a refusal is given on the cycle as read, not as held).
   */
  private async sendOnHeld(principal: Principal, held: Held, input: EventInput, options: SendOptions): Promise<CycleRecord | undefined> {
    const visibility = this.queries.visibilityToCheck(principal, held.row);
    if (!visibility || definitionOf(input.type)?.directory) return undefined;
    const actor = await this.queries.actorOf(principal);
    const event = { ...withGeneratedIds(input), actor, at: this.clock.now().toISOString() } as CycleEvent;
    const chain = new CycleChain(held.row);
    const decision = chain.decide(event);
    if (!decision.accepted || decision.effects.length) return undefined;
    const entry = chain.apply(event, decision);
    const write = await this.written(chain);
    const outcome: WriteOutcome = await this.cycles.writeBatched({ ...write, head: { ...write.head, ...visibility, open: true, view: !options.minimal } });
    if (!outcome.moved) {
      this.store.drop(held.row.id, 'written');
      return undefined;
    }
    cycleEvents.inc({ type: input.type, outcome: 'accepted' });
    const row = chain.rowAfter();
    const after = withEntry({ ...held.read, milestones: outcome.milestones ?? held.read.milestones }, entry);
    this.hold(row, after);
    return this.queries.recordOf(row, actor, after);
  }

  /**
   * Holds the cycle as just written, as stored: the texts its events wrote (inline in the row's
   * snapshot) join the texts read, so the next event's write sends only the texts it writes
   * itself. Only the texts its view shows are held (the latest revision's, the live options'): an
   * old cycle's earlier revisions and withdrawn options are not in its answers. A cycle whose texts
   * take much memory even so is held without them, for answers that show none (`Prefer:
   * return=minimal`); one too large even so is not held.
   */
  private hold(row: CycleEntity, read: ReadAlong): void {
    const { slim, texts: written } = splitTexts(row.snapshot);
    const { kept, keptBytes, listed } = this.measured(slim, read.texts && Object.keys(written).length ? { ...read.texts, ...written } : read.texts);
    // A few KB for the row, half a KB for each item of its context's lists and of its recent progress and milestones.
    const size = 8 * 1024 + 512 * (listed + read.progress.length + read.milestones.length);
    if (size > HELD_MAX_BYTES) return void this.store.drop(row.id, 'written');
    this.store.keep(row.id, row.version, { written: { value: { row: { ...row, snapshot: slim }, read: { ...read, archived: false, texts: kept } }, bytes: size + keptBytes } });
  }

  /**
   * What a held cycle keeps of `texts` (those its view shows, if not too many) and how big it is,
   * worked out once for the same snapshot and texts objects: a progress update leaves both as they
   * were (the held ones), and an old cycle's hundreds of texts were sorted and counted again on
   * every event. Neither object is ever changed (CycleStore).
   */
  private measured(slim: CycleEntity['snapshot'], texts: CycleTexts | null | undefined): HeldMeasure {
    const before = this.measures.get(slim);
    if (before && before.texts === texts) return before;
    const shown = texts && shownTexts(slim, texts);
    const kept = shown && textsSize(shown) <= HELD_TEXTS_MAX_BYTES ? shown : null;
    const made: HeldMeasure = { texts, kept, keptBytes: kept ? textsSize(kept) : 0, listed: listedItems(slim) };
    this.measures.set(slim, made);
    return made;
  }

  private readonly measures = new WeakMap<object, HeldMeasure>();

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
    const row = typeof cycle === 'string' ? await this.queries.mustFind(cycle) : cycle;
    const event = () => ({ type, ...payload, actor: { userId: null, organisationId: null, system: true }, at: this.clock.now().toISOString() }) as CycleEvent;
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
  private async applyWithRetry(row: CycleEntity, event: () => CycleEvent, expectedVersion: number | undefined, alongside?: InTransaction): Promise<Applied> {
    const first = await this.writeOptimistic(row, event(), alongside);
    if (first.outcome !== 'lost-race') return first;
    return this.transactions.run(async () => {
      const fresh = await this.cycles.findForUpdate(row.id);
      if (!fresh) throw new NotFound('cycle');
      if (expectedVersion !== undefined && fresh.version !== expectedVersion) return { outcome: 'lost-race' } as const;
      const second = await this.write(fresh, event(), alongside);
      return second.outcome === 'applied' ? { ...second, retried: true } : second;
    });
  }

  /**
   * Records something that happened to the cycle without moving it (a milestone scheduled, moved
   * or cancelled), in the caller's transaction: the row is locked, the version bumped and the
   * entry chained like any other.
   */
  async recordEntry(cycleId: string, entry: RecordedItem): Promise<void> {
    await this.recordEntries([{ cycleId, ...entry }]);
  }

  /**
   * Milestone events of many cycles at once (a storm), in the caller's transaction: takes the
   * cycles' locks in id order, decides each cycle's events in turn (each on the state the one
   * before it left), and writes every cycle that moved, with its history entries, in one
   * statement. A cycle whose events would do more than change its state (open an iteration) is
   * left out of the answer, for the one-at-a-time path.
   */
  async applySystemEvents(plans: SystemEventPlan[]): Promise<Map<string, SystemEventOutcome[]>> {
    const rows = new Map((await this.cycles.lockMany([...new Set(plans.map((p) => p.cycleId))].sort())).map((r) => [r.id, r]));
    const answers = new Map<string, SystemEventOutcome[]>();
    const chains: CycleChain[] = [];
    for (const plan of plans) {
      const row = rows.get(plan.cycleId);
      if (!row) continue;
      const chain = new CycleChain(row);
      const outcomes: SystemEventOutcome[] = [];
      let needsOneByOne = false;
      for (const { key, type, payload } of plan.events) {
        const event = { type, ...payload, actor: SYSTEM, at: this.clock.now().toISOString() } as CycleEvent;
        const decision = chain.decide(event);
        if (!decision.accepted) {
          cycleEvents.inc({ type, outcome: decision.kind });
          outcomes.push({ key, outcome: 'moot', reason: decision.reason });
          continue;
        }
        if (decision.effects.length) {
          needsOneByOne = true;
          break;
        }
        chain.apply(event, decision);
        cycleEvents.inc({ type, outcome: 'accepted' });
        outcomes.push({ key, outcome: 'applied', state: decision.state });
      }
      if (needsOneByOne) continue;
      answers.set(plan.cycleId, outcomes);
      if (chain.entries.length) chains.push(chain);
    }
    await this.writeLocked(chains);
    return answers;
  }

  /**
   * Events the service records on people's behalf (a handover, a succession), in the caller's
   * transaction: the rows locked in id order, each cycle's events built on its locked row by
   * `eventsOf` (none: left alone; a row gone: skipped), decided by the machine one after another
   * (each on the state the one before left) and chained like any other. The service's events only
   * record: one that would open another iteration is a fault. Answers each cycle's outcome (its
   * first refusal, or the last entry written); writes the accepted cycles, or, with `allOrNothing`,
   * writes nothing when any is refused (the caller then rolls back or reports).
   */
  async applyServiceEvents(
    cycleIds: string[],
    eventsOf: (row: CycleEntity) => Promise<CycleEvent[]>,
    { allOrNothing = false }: { allOrNothing?: boolean } = {},
  ): Promise<Map<string, ServiceEventOutcome>> {
    const rows = await this.cycles.lockMany([...new Set(cycleIds)].sort());
    const outcomes = new Map<string, ServiceEventOutcome>();
    const chains: CycleChain[] = [];
    for (const row of rows) {
      const events = await eventsOf(row);
      if (!events.length) continue;
      const chain = new CycleChain(row);
      let outcome: ServiceEventOutcome | undefined;
      for (const event of events) {
        const decision = chain.decide(event);
        if (!decision.accepted) {
          cycleEvents.inc({ type: event.type, outcome: decision.kind });
          outcome = { outcome: 'refused', reason: decision.reason };
          break;
        }
        if (decision.effects.length) throw new Error(`${event.type} would open another iteration of cycle ${row.id}: the service's events only record`);
        const entry = chain.apply(event, decision);
        cycleEvents.inc({ type: event.type, outcome: 'accepted' });
        outcome = { outcome: 'applied', before: row, seq: entry.seq };
      }
      outcomes.set(row.id, outcome!);
      if (outcome!.outcome === 'applied') chains.push(chain);
    }
    const refused = [...outcomes.values()].some((o) => o.outcome === 'refused');
    if (!(allOrNothing && refused)) await this.writeLocked(chains);
    return outcomes;
  }

  /** Takes the rows' locks in the caller's transaction, in id order, as every writer does. */
  async lockForEntries(cycleIds: string[]): Promise<void> {
    await this.cycles.lockMany([...new Set(cycleIds)].sort());
  }

  /** `recordEntry` for many cycles at once, in one statement (an anchor move touches hundreds). */
  async recordEntries(items: (RecordedItem & { cycleId: string })[]): Promise<void> {
    const rows = await this.cycles.lockMany([...new Set(items.map((i) => i.cycleId))].sort());
    const chains = new Map(rows.map((row) => [row.id, new CycleChain(row)]));
    for (const item of items) {
      const chain = chains.get(item.cycleId);
      if (!chain) throw new NotFound('cycle');
      chain.record(item);
    }
    await this.writeLocked([...chains.values()]);
  }

  /**
   * What the write statement needs for a chain: its head and entries, and the notifications of
   * the tasks its events opened and closed (people told when it is their turn, in the same statement).
   */
  private async written(chain: CycleChain): Promise<EventWrite> {
    const write = chain.write();
    const { opened, closed } = chain.taskChanges();
    if (!opened.length && !closed.length) return write;
    return {
      ...write,
      notes: await this.taskNotes.of(chain.rowAfter(), write.head.version, opened),
      closed: closed.map((task_key) => ({ cycle_id: chain.row.id, task_key, at: write.head.at })),
    };
  }

  /** Writes chains of cycles whose rows this transaction holds: every one must move. */
  private async writeLocked(chains: CycleChain[]): Promise<void> {
    const moved = await this.cycles.write(await Promise.all(chains.map((c) => this.written(c))));
    const stuck = chains.filter((c) => !moved.has(c.row.id));
    if (stuck.length) throw new Error(`cycles ${stuck.map((c) => c.row.id).join(', ')} moved while this transaction held them`);
  }

  /**
   * The common case in one statement, batched with other events (compare-and-set and history
   * together); effects and work alongside need a transaction.
   */
  private async writeOptimistic(row: CycleEntity, event: CycleEvent, alongside?: InTransaction): Promise<Applied> {
    const chain = new CycleChain(row);
    const decision = chain.decide(event);
    if (!decision.accepted) return { outcome: 'refused', kind: decision.kind, reason: decision.reason, version: row.version };
    if (decision.effects.length || alongside) return this.transactions.run(() => this.write(row, event, alongside));
    const entry = chain.apply(event, decision);
    if (!(await this.cycles.writeBatched(await this.written(chain))).moved) return { outcome: 'lost-race' };
    return { outcome: 'applied', row: chain.rowAfter(), entry };
  }

  /** Decides the event on `row` and, if accepted, writes snapshot, history and effects, in the transaction under way. */
  private async write(row: CycleEntity, event: CycleEvent, alongside?: InTransaction): Promise<Applied> {
    const chain = new CycleChain(row);
    const decision = chain.decide(event);
    if (!decision.accepted) return { outcome: 'refused', kind: decision.kind, reason: decision.reason, version: row.version };
    const entry = chain.apply(event, decision);
    if (!(await this.cycles.write([await this.written(chain)])).has(row.id)) return { outcome: 'lost-race' };
    let nextCycleId: string | null = row.nextCycleId;
    if (decision.effects.some((e) => e.type === 'openNextIteration')) {
      nextCycleId = await this.creation.openNextIteration(row, decision.snapshot, event.actor, entry.at);
      await this.cycles.linkNext(row.id, nextCycleId);
    }
    if (alongside) await alongside(decision.state);
    return { outcome: 'applied', row: chain.rowAfter(nextCycleId), entry };
  }
}

/** A cycle as this process last wrote it: its row and what its view read along. */
type Held = NonNullable<CycleParts['written']>;

/**
 * A cycle that would take more memory than this, its texts aside, is not held; texts that would
 * take more than this are not held with it (only the view's are held: the latest revision's and
 * the live options', some hundreds of them at most, however long the cycle's history).
 */
const HELD_MAX_BYTES = 1024 * 1024;
const HELD_TEXTS_MAX_BYTES = 512 * 1024;

/** What `hold` worked out of a snapshot and the texts read with it. */
interface HeldMeasure {
  texts: CycleTexts | null | undefined;
  kept: CycleTexts | null;
  keptBytes: number;
  listed: number;
}

/**
 * The items of a snapshot's context lists (revisions, options, proposals, actions, pledges…), for
 * roughly what a held cycle takes in memory, its texts aside, counted without serialising it.
 */
function listedItems(snapshot: Record<string, unknown>): number {
  const context = (snapshot as { context?: Record<string, unknown> }).context ?? {};
  const items = (value: unknown): number =>
    Array.isArray(value) ? value.length : value && typeof value === 'object' ? Object.values(value).reduce((n: number, v) => n + (Array.isArray(v) ? v.length : 0), 0) : 0;
  return Object.values(context).reduce((n: number, value) => n + items(value), 0);
}

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
