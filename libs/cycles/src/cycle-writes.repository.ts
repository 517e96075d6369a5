/** The cycles' write path in SQL: the one statement that writes events (batched), the locks writers take, and a new cycle's rows. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Batcher, type JsonObject, preparedStatement, refusedForItsData, Transactions } from '@app/database';
import { WEBHOOK_DELIVERIES } from '@app/webhooks/webhook-deliveries.fragment';
import { CLOSED_TASKS, TASKS_DONE, TASK_NOTES, TASK_NOTIFICATIONS } from '@app/notifications/task-notifications.fragment';
import { IS_ARCHIVED, IS_MEMBER } from '@app/partnerships/partnerships.fragment';
import { MILESTONES_OF } from '@app/milestones/milestones.fragment';
import { type CycleTexts, splitTexts } from '@app/domain';
import { CycleEntity, CycleHistoryEntity, CycleTextEntity } from './cycle.entity';
import { CYCLE_COLUMNS, type CycleMilestoneView, type CycleRow, toEntity } from './cycle-rows';
import { type CyclePart, CycleStore } from './cycle-store';
import type { ClosedTask, TaskNote } from './task-notes.service';

/**
 * The one statement that writes cycles' events, whoever sends them: a compare-and-set of each
 * cycle's head (its new version, state, chain head and, when they changed, snapshot and title) and the append
 * of its history entries, atomic on its own. Rows are locked in id order, as every writer takes
 * them; a cycle whose version moved on is left alone, and the ids that moved come back. A row
 * another transaction holds is skipped, not waited for (rows the writer's own transaction holds
 * are not skipped): a batch of people's events does not queue behind a milestone sweep, and the
 * skipped event goes the slow way, under the row's lock. It is the cycles' own form of the history
 * library's compare-and-set write (@app/history: ChainedHistory, which the agreement's and the
 * partnership's histories use), group-committed for many cycles in one statement; the entries it
 * appends are chained by the library (`chainedEntry`, through CycleChain) and verified by it.
 */
const WRITE_EVENTS = (heads: HeadsCarry) => `
  WITH heads AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS h(
      id uuid, expected int, version int, snapshot jsonb, state text, title text, hash text, machine_version int, progress int, at timestamptz,
      member_of uuid, open boolean, wants_milestones boolean)),
  entries AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
      cycle_id uuid, seq int, type text, actor_user_id uuid, organisation_id uuid, representative boolean, from_state text, to_state text,
      payload jsonb, at timestamptz, prev_hash text, hash text, seals jsonb)),
  locked AS (SELECT c.id FROM cycles c WHERE c.id IN (SELECT id FROM heads) ORDER BY c.id FOR UPDATE SKIP LOCKED),
  moved AS (
    UPDATE cycles c SET ${heads === 'snapshots' ? 'snapshot = coalesce(h.snapshot, c.snapshot), title = coalesce(h.title, c.title), machine_version = coalesce(h.machine_version, c.machine_version), ' : ''}state = h.state,
      history_hash = h.hash, version = h.version, progress_count = c.progress_count + h.progress, updated_at = h.at
    FROM heads h WHERE c.id = h.id AND c.version = h.expected AND c.id IN (SELECT id FROM locked)
      AND (h.member_of IS NULL OR ${IS_MEMBER('c.partnership_id', 'h.member_of')})
      AND (h.open IS NOT TRUE OR NOT ${IS_ARCHIVED('c.partnership_id')})
    RETURNING c.id, h.wants_milestones),
  notes AS (${TASK_NOTIFICATIONS(`${TASK_NOTES('$3')} JOIN moved m ON m.id = n.cycle_id`)}),
  hooks AS (${WEBHOOK_DELIVERIES('entries e JOIN moved m ON m.id = e.cycle_id')}),
  done AS (${TASKS_DONE(`${CLOSED_TASKS('$4')} JOIN moved m ON m.id = d.cycle_id`)}),
  texts AS (
    INSERT INTO cycle_texts (cycle_id, key, body)
    SELECT t.cycle_id, t.key, t.body FROM jsonb_to_recordset($5::jsonb) AS t(cycle_id uuid, key text, body text)
    JOIN moved m ON m.id = t.cycle_id
    ON CONFLICT (cycle_id, key) DO UPDATE SET body = EXCLUDED.body),
  appended AS (
    INSERT INTO cycle_history (cycle_id, seq, type, actor_user_id, organisation_id, representative, from_state, to_state, payload, at, prev_hash, hash, seals)
    SELECT e.cycle_id, e.seq, e.type, e.actor_user_id, e.organisation_id, e.representative, e.from_state, e.to_state, e.payload, e.at, e.prev_hash, e.hash, e.seals
    FROM entries e JOIN moved m ON m.id = e.cycle_id
    RETURNING cycle_id)
  SELECT w.id, CASE WHEN w.wants_milestones THEN ${MILESTONES_OF('w.id')} END AS milestones
  FROM moved w WHERE w.id IN (SELECT cycle_id FROM appended)`;

/**
 * Whether any head of a batch carries a snapshot or a title. When none does (a batch of progress
 * updates, votes, milestones recorded), the statement's `SET` leaves those columns out, so that
 * the search index's row trigger on them (`search_cycles_updated`) is not fired at all: it read
 * both versions' context on every write, as much as the row's own update cost PostgreSQL.
 */
type HeadsCarry = 'snapshots' | 'heads only';
const carriedBy = (writes: EventWrite[]): HeadsCarry => (writes.some((w) => w.head.snapshot !== undefined || w.head.title !== undefined) ? 'snapshots' : 'heads only');

/**
 * Where a cycle goes after its events: from version `expectedVersion` to `version`, with its
 * state and chain head; a snapshot and machine version only when the machine moved it (entries
 * that only record, such as a milestone scheduled, keep the snapshot).
 */
export interface CycleHead {
  id: string;
  expectedVersion: number;
  version: number;
  state: string;
  historyHash: string;
  /** How many of its new entries are progress updates (the row's count moves on by as many). */
  progress: number;
  /** Stored without its texts (see `texts`). */
  snapshot?: Record<string, unknown>;
  /** The texts the machine's move wrote or changed, by key (cycle.texts.ts). */
  texts?: CycleTexts;
  machineVersion?: number;
  /** A new title (a draft's edit). */
  title?: string;
  at: Date;
  /**
   * Written only if this organisation is a member of the cycle's partnership (an event decided on
   * a cycle this process held, without reading it first: who may see it is checked here).
   */
  memberOf?: string;
  /** Written only if the cycle's partnership is not archived (the same). */
  open?: boolean;
  /** Answer the cycle's milestones as they are once written (for the event's answer). */
  view?: boolean;
}

/** What the batched write says of one cycle's events: whether they were written, and the cycle's milestones if asked for. */
export interface WriteOutcome {
  moved: boolean;
  milestones?: CycleMilestoneView[];
}

/** One cycle's head and its new history entries, with the notifications of the tasks they opened and closed. */
export interface EventWrite {
  head: CycleHead;
  entries: CycleHistoryEntity[];
  notes?: TaskNote[];
  closed?: ClosedTask[];
}

/** The statement's five recordsets: heads, entries, task notifications, closed tasks, texts. */
const paramsOf = (writes: EventWrite[]) => [
  headParams(writes.map((w) => w.head)),
  entryParams(writes.flatMap((w) => w.entries)),
  JSON.stringify(writes.flatMap((w) => w.notes ?? [])),
  JSON.stringify(writes.flatMap((w) => w.closed ?? [])),
  JSON.stringify(writes.flatMap((w) => Object.entries(w.head.texts ?? {}).map(([key, body]) => ({ cycle_id: w.head.id, key, body })))),
];

const headParams = (heads: CycleHead[]) =>
  JSON.stringify(
    heads.map((h) => ({
      id: h.id,
      expected: h.expectedVersion,
      version: h.version,
      snapshot: h.snapshot ?? null,
      state: h.state,
      title: h.title ?? null,
      hash: h.historyHash,
      machine_version: h.machineVersion ?? null,
      progress: h.progress,
      at: h.at,
      member_of: h.memberOf ?? null,
      open: h.open ?? false,
      wants_milestones: h.view ?? false,
    })),
  );

const entryParams = (entries: CycleHistoryEntity[]) =>
  JSON.stringify(
    entries.map((e) => ({
      cycle_id: e.cycleId,
      seq: e.seq,
      type: e.type,
      actor_user_id: e.actorUserId,
      organisation_id: e.organisationId,
      representative: e.representative,
      from_state: e.fromState,
      to_state: e.toState,
      payload: e.payload,
      at: e.at,
      prev_hash: e.prevHash,
      hash: e.hash,
      seals: e.seals ?? null,
    })),
  );

@Injectable()
export class CycleWritesRepository {
  private readonly writeEvents: Record<HeadsCarry, ReturnType<typeof preparedStatement<{ id: string; milestones: CycleMilestoneView[] | null }>>>;
  // One batch on its way at a time: what arrives meanwhile makes the next batch bigger, so the
  // round trips (each wakes a PostgreSQL backend, costly on a VM) are shared by more requests.
  /**
   * Events that arrive while others are being written go together: one statement, one commit. A
   * batch PostgreSQL refuses for one event's data is written again event by event: only that one fails.
   */
  private readonly eventWrites = new Batcher<EventWrite, WriteOutcome>((batch) => this.writeBatch(batch), {
    maxBatch: 64,
    maxInFlight: 1,
    key: (write) => write.head.id,
    alone: refusedForItsData,
  });

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly store: CycleStore,
  ) {
    this.writeEvents = {
      snapshots: preparedStatement(dataSource, 'cycle_events', WRITE_EVENTS('snapshots')),
      'heads only': preparedStatement(dataSource, 'cycle_events_heads', WRITE_EVENTS('heads only')),
    };
  }

  /** The transaction's manager when one is under way (Transactions.run), else the data source's. */
  private get manager(): EntityManager {
    return this.transactions.manager;
  }

  /** A cycle's events written by the one statement, batched with others'. Not moved when the race was lost (or a guard of the head's refused). */
  writeBatched(write: EventWrite): Promise<WriteOutcome> {
    return this.eventWrites.add(write);
  }

  /** Cycles' events written by the one statement in the caller's transaction; answers the ids that moved. */
  async write(writes: EventWrite[]): Promise<Set<string>> {
    if (!writes.length) return new Set();
    const rows: { id: string }[] = await this.manager.query(WRITE_EVENTS(carriedBy(writes)), paramsOf(writes));
    return new Set(rows.map((r) => r.id));
  }

  private async writeBatch(batch: EventWrite[]): Promise<WriteOutcome[]> {
    const rows = await this.writeEvents[carriedBy(batch)](paramsOf(batch));
    const moved = new Map(rows.map((r) => [r.id, r.milestones ?? undefined]));
    // Committed (the statement is its own transaction): a snapshot kept moves on with its cycle, texts
    // too unless the write wrote some (they are read afresh), and the view's JSON of its revisions
    // and options when neither the snapshot nor a text changed (a progress update: an old cycle's
    // answers would otherwise make its hundreds of KB of options again on every event). (Writes
    // inside a transaction are not followed: it may yet roll back.)
    for (const { head } of batch) {
      if (!moved.has(head.id)) continue;
      const wroteTexts = head.texts !== undefined && Object.keys(head.texts).length > 0;
      const carried: CyclePart[] = wroteTexts ? ['snapshot'] : head.snapshot === undefined ? ['snapshot', 'texts', 'json'] : ['snapshot', 'texts'];
      this.store.moved(head.id, head.expectedVersion, head.version, carried, { snapshot: head.snapshot as JsonObject | undefined });
    }
    return batch.map((write) => ({ moved: moved.has(write.head.id), milestones: moved.get(write.head.id) }));
  }

  /** The row, locked until the transaction ends: writers of one cycle queue behind each other. */
  findForUpdate(id: string): Promise<CycleEntity | null> {
    return this.manager.getRepository(CycleEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Rows of several cycles, locked in id order (the order every writer takes them in). */
  async lockMany(ids: string[]): Promise<CycleEntity[]> {
    if (!ids.length) return [];
    // Plain SQL: a storm locks hundreds of rows with their snapshots, too many to hydrate through TypeORM.
    const rows: CycleRow[] = await this.manager.query(`SELECT ${CYCLE_COLUMNS} FROM cycles c WHERE c.id = ANY($1::uuid[]) ORDER BY c.id FOR UPDATE`, [ids]);
    return rows.map(toEntity);
  }

  /** A new cycle: its snapshot stored without its texts, which go to cycle_texts. */
  async insert(cycle: Omit<CycleEntity, 'createdAt' | 'updatedAt'>): Promise<void> {
    const { slim, texts } = splitTexts(cycle.snapshot);
    await this.manager.insert(CycleEntity, { ...cycle, snapshot: slim as JsonObject });
    const rows = Object.entries(texts).map(([key, body]) => ({ cycleId: cycle.id, key, body }));
    if (rows.length) await this.manager.insert(CycleTextEntity, rows);
  }

  /** Notifications of a new cycle's tasks (iteration n+1 waiting to be launched), or of other news of a cycle (no task: a handover), in the caller's transaction. */
  async insertNotes(notes: (TaskNote | (Omit<TaskNote, 'task_key'> & { task_key: null }))[]): Promise<void> {
    if (!notes.length) return;
    await this.manager.query(TASK_NOTIFICATIONS(TASK_NOTES('$1')), [JSON.stringify(notes)]);
  }

  async linkNext(id: string, nextCycleId: string): Promise<void> {
    await this.manager.query('UPDATE cycles SET next_cycle_id = $2 WHERE id = $1', [id, nextCycleId]);
  }

  /** A new cycle's first entry (CREATED), with its webhook deliveries. */
  async appendHistory(entry: CycleHistoryEntity): Promise<void> {
    await this.manager.insert(CycleHistoryEntity, entry);
    await this.manager.query(
      `WITH e AS (SELECT cycle_id, seq, type, at, payload FROM cycle_history WHERE cycle_id = $1 AND seq = $2)
       ${WEBHOOK_DELIVERIES('e')}`,
      [entry.cycleId, entry.seq],
    );
  }
}
