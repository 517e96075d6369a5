/** Deciding one cycle's events with the machine and chaining their history entries, for the one write statement. */
import {
  Actor,
  CYCLE_MACHINE_VERSION,
  CycleEvent,
  CycleSnapshot,
  Decision,
  Task,
  decide,
  definitionOf,
  isMilestoneEventType,
  persistCycle,
  personalFieldsOf,
  restoreCycle,
  splitTexts,
  taskChanges,
  tasksOf,
} from '@app/domain';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';
import type { EventWrite } from './cycle-writes.repository';
import { RELEASING_TYPES, actorColumns, chainedEntry, sealFields } from '@app/history';

/** An entry chained without the machine: what it records, and which of its fields a person wrote (sealed). */
export interface RecordedItem {
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
  at: Date;
  sealed?: string[];
}

/**
 * Decide → chain, for one cycle: events are decided one after another on the state the one
 * before left, each accepted one chained as a history entry; entries that only record (a milestone
 * scheduled) are chained without moving the machine. `write()` is then what the one write
 * statement needs. People's events, milestones' events and bulk sweeps all go through here.
 */
export class CycleChain {
  snapshot: CycleSnapshot;
  readonly entries: CycleHistoryEntity[] = [];
  private version: number;
  private historyHash: string;
  private state: string;
  private machineMoved = false;
  private title?: string;
  private persisted?: Record<string, unknown>;
  private stored?: ReturnType<typeof splitTexts>;

  private readonly initial: CycleSnapshot;
  /** Milestones that came or were cancelled: their reminders are done. */
  private readonly endedMilestones: string[] = [];

  constructor(readonly row: CycleEntity) {
    this.snapshot = restoreCycle(row.snapshot);
    this.initial = this.snapshot;
    this.version = row.version;
    this.historyHash = row.historyHash;
    this.state = row.state;
  }

  /** What the machine says to the event, on the chain's head (nothing is applied yet). */
  decide(event: CycleEvent): Decision {
    return decide(this.snapshot, event);
  }

  /** Applies an accepted decision: its entry chained, the head moved on. */
  apply(event: CycleEvent, decision: Extract<Decision, { accepted: true }>): CycleHistoryEntity {
    // The directory the rules read is looked up again whenever needed: not part of what happened.
    const { type, actor, at, directory: _, ...payload } = event as CycleEvent & Record<string, unknown>;
    this.title = definitionOf(type)?.title?.(event as never) || this.title;
    const entry = this.append({ type, actor, payload, at: new Date(at) }, decision.state);
    // A route that only records (RECORD_PROGRESS, most often) leaves the very same snapshot: none is
    // sent back to the database (years of revisions and options would be hundreds of KB per event),
    // unless the row's snapshot is of an earlier machine version and is upgraded by this write.
    if (decision.snapshot !== this.snapshot || this.row.machineVersion !== CYCLE_MACHINE_VERSION) {
      this.snapshot = decision.snapshot;
      this.machineMoved = true;
      this.persisted = undefined;
      this.stored = undefined;
    }
    return entry;
  }

  /**
   * Chains an entry that records something without moving the machine. `sealed`: the JSON Pointers
   * of what a person wrote in it (a comment hidden's reason), sealed like an event's prose.
   */
  record(item: RecordedItem): CycleHistoryEntity {
    return this.append(item, this.state);
  }

  /** The tasks the chained events opened and the keys of those they closed (cycle.tasks.ts). */
  taskChanges(): { opened: Task[]; closed: string[] } {
    const ended = this.endedMilestones.map((id) => `milestone.${id}`);
    if (!this.machineMoved) return { opened: [], closed: ended };
    const { opened, closed } = taskChanges(tasksOf(this.initial), tasksOf(this.snapshot));
    return { opened, closed: [...closed, ...ended] };
  }

  /** The cycle's head after the chained entries, and the entries, for the write statement. */
  write(): EventWrite {
    const last = this.entries[this.entries.length - 1];
    return {
      head: {
        id: this.row.id,
        expectedVersion: this.row.version,
        version: this.version,
        state: this.state,
        historyHash: this.historyHash,
        progress: this.progressAdded(),
        ...(this.machineMoved && { snapshot: this.storedSnapshot().slim, texts: this.storedSnapshot().texts, machineVersion: CYCLE_MACHINE_VERSION }),
        ...(this.title && { title: this.title }),
        at: last?.at ?? this.row.updatedAt,
      },
      entries: this.entries,
    };
  }

  /** The row as it will be once written (the snapshot persisted only if the machine moved). */
  rowAfter(nextCycleId = this.row.nextCycleId): CycleEntity {
    const last = this.entries[this.entries.length - 1];
    return {
      ...this.row,
      ...(this.machineMoved && { snapshot: this.persistedSnapshot(), machineVersion: CYCLE_MACHINE_VERSION }),
      state: this.state,
      title: this.title ?? this.row.title,
      version: this.version,
      progressCount: this.row.progressCount + this.progressAdded(),
      historyHash: this.historyHash,
      nextCycleId,
      updatedAt: last?.at ?? this.row.updatedAt,
    };
  }

  /** How many of the chained entries are progress updates. */
  private progressAdded(): number {
    return this.entries.filter((e) => e.type === 'RECORD_PROGRESS').length;
  }

  /** The snapshot persisted (with the texts its events wrote), made once however often it is asked for. */
  private persistedSnapshot(): Record<string, unknown> {
    this.persisted ??= persistCycle(this.snapshot);
    return this.persisted;
  }

  /** The snapshot as stored (without texts) and the texts its events wrote or changed (cycle.texts.ts). */
  private storedSnapshot(): ReturnType<typeof splitTexts> {
    this.stored ??= splitTexts(this.persistedSnapshot());
    return this.stored;
  }

  private append(item: RecordedItem, toState: string): CycleHistoryEntity {
    const milestoneId = item.payload.milestoneId;
    if (typeof milestoneId === 'string' && (item.type === 'MILESTONE_CANCELLED' || isMilestoneEventType(item.type))) this.endedMilestones.push(milestoneId);
    const entry: CycleHistoryEntity = {
      cycleId: this.row.id,
      ...chainedEntry(this.row.id, this.version + 1, this.historyHash, {
        type: item.type,
        ...actorColumns(item.actor),
        fromState: this.state,
        toState,
        payload: item.payload,
        at: item.at,
        // What a person wrote is sealed: the chain commits to its digest, so it can be erased (hash scheme 4).
        // (A person's reason for an erasure or redaction may name people too; the system's says why by rule.)
        seals: sealFields(item.payload, item.sealed ?? (RELEASING_TYPES.includes(item.type) ? (item.actor.userId ? ['/reason'] : []) : personalFieldsOf(item.type, item.payload))) ?? null,
      }),
    };
    this.entries.push(entry);
    this.version += 1;
    this.historyHash = entry.hash;
    this.state = toState;
    return entry;
  }
}
