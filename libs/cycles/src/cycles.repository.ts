import { LRUCache } from 'lru-cache';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Batcher } from '@app/database/batcher';
import { refusedForItsData } from '@app/database/refused';
import { Transactions } from '@app/database/transactions';
import { preparedStatement } from '@app/database/prepared';
import { WEBHOOK_DELIVERIES } from '@app/webhooks/webhook-deliveries.fragment';
import { CLOSED_TASKS, TASKS_DONE, TASK_NOTES, TASK_NOTIFICATIONS } from '@app/notifications/task-notifications.fragment';
import { type CycleContext, type CycleMetric, type CycleOption, type CycleTexts, type DeliveryAction, type Learning, type Pledge, type ProgressEntry, type Proposal, revisionTextKey, splitTexts, textsSize } from '@app/domain';
import { CycleEntity, CycleHistoryEntity, CycleTextEntity } from './cycle.entity';
import type { ClosedTask, TaskNote } from './task-notes';

/** A milestone of the cycle as its view shows it (the milestones feature owns the table). */
export interface CycleMilestoneView {
  id: string;
  cycleId: string;
  kind: string;
  dueAt: string;
  status: string;
  anchorId: string | null;
  offsetDays: number | null;
  offsetWorkingDays: number | null;
  changes: unknown[];
}

export interface CycleView {
  row: CycleEntity;
  /** Whether the organisation asked about belongs to the cycle's partnership. */
  member: boolean;
  /** Whether its partnership is archived (read-only). */
  archived: boolean;
  milestones: CycleMilestoneView[];
  /** Its newest progress updates (RECENT_PROGRESS at most), oldest first, from its history. */
  progress: ProgressEntry[];
  /** How many progress updates it has in all. */
  progressCount: number;
  /** Its long texts (cycle_texts), when they were asked for: views put them back into the snapshot; deciding an event never needs them. */
  texts: CycleTexts | null;
}

/** A metric reading of a progress update, as a partnership's open data reads it. */
export interface PartnershipReading {
  cycleId: string;
  /** The history entry that recorded it. */
  seq: number;
  at: Date;
  organisationId: string | null;
  /** The metric's id (or, in early cycles, its name). */
  metric: string;
  value: number;
}

/** A cycle of a partnership with the parts of its snapshot its open data shows (options without their summaries: see cycle_texts). */
export interface PartnershipCycleRecord {
  id: string;
  title: string;
  iteration: number;
  state: string;
  createdAt: Date;
  metrics: CycleMetric[];
  options: Omit<CycleOption, 'summary'>[];
  proposals: Proposal[];
  learnings: Learning[];
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** How many progress updates a cycle's view carries, the newest; the rest are a page away
 *  (`progressPage`). A cycle in delivery for years must not answer every event with all of them. */
export const RECENT_PROGRESS = 20;

/** A cycle as "Your work" needs it (see involvingSummaries). */
export interface InvolvingSummary {
  id: string;
  title: string;
  iteration: number;
  state: string;
  updatedAt: Date;
  archived: boolean;
  snapshot: Record<string, any>;
}

/** A progress update as the views show it, from its history entry `h`. */
const PROGRESS_ENTRY = `json_build_object('seq', h.seq, 'note', h.payload->'note',
  'readings', COALESCE(h.payload->'readings', '[]'::jsonb), 'organisationId', h.organisation_id,
  'userId', h.actor_user_id, 'at', to_char(h.at AT TIME ZONE 'UTC', ${ISO}))`;

const CYCLE_COLUMNS = `c.id, c.partnership_id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.snapshot,
  c.machine_version, c.version, c.progress_count, c.history_hash, c.inherited_learning, c.created_by_user_id, c.created_at, c.updated_at`;

/** Cycles, whether an organisation belongs to each one's partnership, their milestones, their
 *  newest progress updates (from the history: the snapshot does not keep them; the partial index
 *  cycle_history_progress_idx finds them) and how many there are (kept on the row), for a batch of reads
 *  (one round trip for all): `$1` the cycle ids, `$2` the organisations asking, row for row, `$3`
 *  the version whose snapshot this process already holds (SnapshotCache): that snapshot is not
 *  read, sent or parsed again; `$4` whether its texts are wanted (a view's, not an event's); `$5`
 *  the version whose texts this process already holds: they are not read again either. */
/** A cycle's milestones as its view shows them (CycleMilestoneView), soonest first (`m` is the milestones' alias: name the cycle otherwise). */
const MILESTONES_OF = (cycleId: string) => `COALESCE((SELECT json_agg(json_build_object(
        'id', m.id, 'cycleId', m.cycle_id, 'kind', m.kind, 'dueAt', to_char(m.due_at AT TIME ZONE 'UTC', ${ISO}),
        'status', m.status, 'anchorId', m.anchor_id, 'offsetDays', m.offset_days,
        'offsetWorkingDays', m.offset_working_days, 'changes', m.changes) ORDER BY m.due_at, m.id)
      FROM milestones m WHERE m.cycle_id = ${cycleId}), '[]')`;

const READ_VIEWS = `
  SELECT i.n, ${CYCLE_COLUMNS.replace('c.snapshot,', `CASE WHEN c.version = i.known THEN NULL ELSE c.snapshot END AS snapshot, pg_column_size(c.snapshot) AS snapshot_size,`)},
    EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = c.partnership_id AND pm.organisation_id = i.org) AS member,
    EXISTS (SELECT 1 FROM partnerships p WHERE p.id = c.partnership_id AND p.archived_at IS NOT NULL) AS archived,
    ${MILESTONES_OF('c.id')} AS milestones,
    COALESCE((SELECT json_agg(${PROGRESS_ENTRY} ORDER BY h.seq) FROM (
        SELECT * FROM cycle_history h WHERE h.cycle_id = c.id AND h.type = 'RECORD_PROGRESS'
        ORDER BY h.seq DESC LIMIT ${RECENT_PROGRESS}) h), '[]') AS progress,
    CASE WHEN i.texts AND c.version IS DISTINCT FROM i.known_texts
      THEN COALESCE((SELECT json_object_agg(t.key, t.body) FROM cycle_texts t WHERE t.cycle_id = c.id), '{}') END AS texts
  FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::bool[], $5::int[]) WITH ORDINALITY AS i(id, org, known, texts, known_texts, n)
  JOIN cycles c ON c.id = i.id`;

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
const WRITE_EVENTS = `
  WITH heads AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS h(
      id uuid, expected int, version int, snapshot jsonb, state text, title text, hash text, machine_version int, progress int, at timestamptz,
      member_of uuid, open boolean, wants_milestones boolean)),
  entries AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
      cycle_id uuid, seq int, type text, actor_user_id uuid, organisation_id uuid, representative boolean, from_state text, to_state text,
      payload jsonb, at timestamptz, prev_hash text, hash text)),
  locked AS (SELECT c.id FROM cycles c WHERE c.id IN (SELECT id FROM heads) ORDER BY c.id FOR UPDATE SKIP LOCKED),
  moved AS (
    UPDATE cycles c SET snapshot = coalesce(h.snapshot, c.snapshot), state = h.state, title = coalesce(h.title, c.title), history_hash = h.hash,
      machine_version = coalesce(h.machine_version, c.machine_version), version = h.version, progress_count = c.progress_count + h.progress,
      updated_at = h.at
    FROM heads h WHERE c.id = h.id AND c.version = h.expected AND c.id IN (SELECT id FROM locked)
      AND (h.member_of IS NULL OR EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = c.partnership_id AND pm.organisation_id = h.member_of))
      AND (h.open IS NOT TRUE OR NOT EXISTS (SELECT 1 FROM partnerships p WHERE p.id = c.partnership_id AND p.archived_at IS NOT NULL))
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
    INSERT INTO cycle_history (cycle_id, seq, type, actor_user_id, organisation_id, representative, from_state, to_state, payload, at, prev_hash, hash)
    SELECT e.cycle_id, e.seq, e.type, e.actor_user_id, e.organisation_id, e.representative, e.from_state, e.to_state, e.payload, e.at, e.prev_hash, e.hash
    FROM entries e JOIN moved m ON m.id = e.cycle_id
    RETURNING cycle_id)
  SELECT w.id, CASE WHEN w.wants_milestones THEN ${MILESTONES_OF('w.id')} END AS milestones
  FROM moved w WHERE w.id IN (SELECT cycle_id FROM appended)`;

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
    })),
  );

interface CycleRow {
  id: string;
  partnership_id: string;
  title: string;
  iteration: number;
  previous_cycle_id: string | null;
  next_cycle_id: string | null;
  state: string;
  snapshot: Record<string, any>;
  machine_version: number;
  version: number;
  progress_count: number;
  history_hash: string;
  inherited_learning: Record<string, any> | null;
  created_by_user_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns a cycle's summary and its whole row share, from snake_case. */
const commonFields = (r: Pick<CycleRow, 'id' | 'partnership_id' | 'title' | 'iteration' | 'previous_cycle_id' | 'next_cycle_id' | 'state' | 'version' | 'created_at' | 'updated_at'>) => ({
  id: r.id,
  partnershipId: r.partnership_id,
  title: r.title,
  iteration: r.iteration,
  previousCycleId: r.previous_cycle_id,
  nextCycleId: r.next_cycle_id,
  state: r.state,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toEntity = (r: CycleRow): CycleEntity => ({
  ...commonFields(r),
  snapshot: r.snapshot,
  machineVersion: r.machine_version,
  progressCount: r.progress_count,
  historyHash: r.history_hash,
  inheritedLearning: r.inherited_learning,
  createdByUserId: r.created_by_user_id,
});

/** When a cycle first entered each state it has been in (from its history): `{ framing: "2027-…Z", … }`. */
export type StatesReached = Partial<Record<string, string>>;

/** The first time each state was entered, per cycle `c`, from its history (one row per entry read; the cycle's own key). */
const STATES_REACHED = `(SELECT json_object_agg(s.to_state, s.at) FROM (
    SELECT h.to_state, to_char(min(h.at) AT TIME ZONE 'UTC', ${ISO}) AS at
    FROM cycle_history h WHERE h.cycle_id = c.id GROUP BY h.to_state) s)`;

/**
 * What publishing a cycle reads of its context (open data): its people, pledges and cancellation,
 * its latest problem revision and its accepted proposal. The rest of the snapshot stays in PostgreSQL.
 */
export type PublishedContext = Pick<CycleContext, 'coOwners' | 'panelUserIds' | 'facilitatorUserIds' | 'pledges' | 'cancellation' | 'proposals'> & {
  problem: Pick<CycleContext['problem'], 'revisions'>;
};

/** A cycle as exports read it: its head, what is published of its context, its milestones and when it first reached each state. */
export interface CycleExportRow {
  id: string;
  title: string;
  iteration: number;
  previousCycleId: string | null;
  nextCycleId: string | null;
  state: string;
  version: number;
  updatedAt: Date;
  context: PublishedContext;
  milestones: Pick<CycleMilestoneView, 'id' | 'kind' | 'dueAt' | 'status'>[];
  reached: StatesReached;
}

/** Where a page of an export ends: the last cycle's exact creation time (microseconds kept) and id. */
export interface ExportCursor {
  createdAt: string;
  id: string;
}

/** The columns of an export's page (`x.ctx` the context): only what is published is sent, so a page stays small however rich its cycles. */
const EXPORT_COLUMNS = `c.id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.version, c.updated_at,
    to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
    jsonb_build_object(
      'coOwners', x.ctx->'coOwners', 'panelUserIds', x.ctx->'panelUserIds', 'facilitatorUserIds', x.ctx->'facilitatorUserIds',
      'pledges', COALESCE(x.ctx->'pledges', '[]'::jsonb), 'cancellation', x.ctx->'cancellation',
      'problem', jsonb_build_object('revisions', COALESCE((SELECT jsonb_agg(CASE WHEN jsonb_typeof(r->'statement') = 'string' THEN r
          ELSE r || jsonb_build_object('statement', coalesce(t.body, '')) END)
        FROM jsonb_path_query(x.ctx, '$.problem.revisions[last]') r
        LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'revision:' || (r->>'number')), '[]'::jsonb)),
      'proposals', jsonb_path_query_array(x.ctx, '$.proposals[*] ? (@.status == "accepted")')) AS context,
    COALESCE((SELECT json_agg(json_build_object(
        'id', m.id, 'kind', m.kind, 'dueAt', to_char(m.due_at AT TIME ZONE 'UTC', ${ISO}), 'status', m.status) ORDER BY m.due_at, m.id)
      FROM milestones m WHERE m.cycle_id = c.id), '[]') AS milestones,
    COALESCE(${STATES_REACHED}, '{}') AS reached`;

export interface CycleListFilter {
  /** null: every partnership (admins); otherwise only partnerships this organisation belongs to. */
  visibleToOrganisationId: string | null;
  partnershipId?: string;
  state?: string;
  /** Only the cycles that name this user as a facilitator (an independent facilitator's list). */
  facilitatorUserId?: string;
  /** Keyset: rows strictly older than this one (created_at as exact text, microseconds kept). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface CycleSummaryRow {
  id: string;
  partnershipId: string;
  title: string;
  iteration: number;
  previousCycleId: string | null;
  nextCycleId: string | null;
  state: string;
  version: number;
  coOwners: { organisationId: string; role: string }[];
  panelUserIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The persisted snapshots and the long texts of large cycles (years of revisions and options:
 * hundreds of KB each), as this process last read or wrote them, each with the version it belongs
 * to. A cycle's snapshot and texts at a given version never change, so a read that finds the cycle
 * still at the version held is answered without them (READ_VIEWS) and uses these: not read from
 * disk, sent or parsed again for every event or view. Small ones are cheaper to read than to keep.
 * Only writes known to be committed move an entry on (a write that wrote texts forgets the texts
 * held: they are read afresh); anything else is forgotten or read afresh. The objects are never
 * changed (the machine makes new ones; views copy what they join).
 */
class SnapshotCache {
  /** Stored (compressed) size of a snapshot, or size of the texts, from which they are kept, and the memory they may take in all. */
  static readonly FROM_STORED_BYTES = 4 * 1024;
  static readonly FROM_TEXT_BYTES = 16 * 1024;
  private readonly held = new LRUCache<string, HeldRead>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (v) => Math.max(1, v.snapshotSize + v.textsSize),
  });

  get(id: string): Readonly<HeldRead> | undefined {
    return this.held.get(id);
  }

  /** What a read brought back: the snapshot (with its stored size) and the texts, each unless it came from here (undefined). */
  remember(id: string, version: number, read: { snapshot?: Record<string, any>; storedBytes: number; texts?: CycleTexts | null }): void {
    if (!read.snapshot && !read.texts) return;
    const before = this.held.get(id);
    const entry: HeldRead = before?.version === version ? { ...before } : { version, snapshotSize: 0, textsSize: 0 };
    if (read.snapshot) {
      // Parsed, a snapshot takes several times its compressed size.
      const keep = read.storedBytes >= SnapshotCache.FROM_STORED_BYTES;
      Object.assign(entry, keep ? { snapshot: read.snapshot, snapshotSize: read.storedBytes * 8 } : { snapshot: undefined, snapshotSize: 0 });
    }
    if (read.texts) {
      const size = textsSize(read.texts);
      Object.assign(entry, size >= SnapshotCache.FROM_TEXT_BYTES ? { texts: read.texts, textsSize: size } : { texts: undefined, textsSize: 0 });
    }
    if (!entry.snapshot && !entry.texts) return void this.held.delete(id);
    this.held.set(id, entry);
  }

  /** A committed write moved the cycle from one version to the next, with a new snapshot (or the same) and the texts it wrote. */
  moved(id: string, from: number, to: number, snapshot: Record<string, unknown> | undefined, textsWritten: CycleTexts | undefined): void {
    const entry = this.held.get(id);
    if (!entry) return;
    if (entry.version !== from) return void this.held.delete(id);
    const wroteTexts = textsWritten !== undefined && Object.keys(textsWritten).length > 0;
    // A snapshot held is replaced by the one written (one too small to keep stays unkept).
    const next: HeldRead = { ...entry, version: to, ...(snapshot && entry.snapshot && { snapshot: snapshot as Record<string, any> }), ...(wroteTexts && { texts: undefined, textsSize: 0 }) };
    if (!next.snapshot && !next.texts) return void this.held.delete(id);
    this.held.set(id, next);
  }
}

interface HeldRead {
  version: number;
  snapshot?: Record<string, any>;
  snapshotSize: number;
  texts?: CycleTexts;
  textsSize: number;
}

@Injectable()
export class CyclesRepository {
  private readonly readViews;
  private readonly writeEvents;
  // One batch on its way at a time: what arrives meanwhile makes the next batch bigger, so the
  // round trips (each wakes a PostgreSQL backend, costly on a VM) are shared by more requests.
  /** Reads that arrive while others are on their way go together: one statement, one round trip. */
  private readonly viewReads = new Batcher<{ id: string; organisationId: string | null; texts: boolean }, CycleView | undefined>(
    (batch) => this.readBatch(batch),
    { maxBatch: 64, maxInFlight: 1 },
  );
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

  /** Large snapshots this process read or wrote last, by cycle and version. */
  private readonly snapshots = new SnapshotCache();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {
    this.readViews = preparedStatement<CycleRow & Omit<CycleView, 'row' | 'progressCount'> & { n: string; snapshot_size: number }>(dataSource, 'cycle_views', READ_VIEWS);
    this.writeEvents = preparedStatement<{ id: string; milestones: CycleMilestoneView[] | null }>(dataSource, 'cycle_events', WRITE_EVENTS);
  }


  /** The transaction's manager when one is under way (Transactions.run), else the data source's. */
  private get manager(): EntityManager {
    return this.transactions.manager;
  }

  /** The cycle with its milestones, and whether an organisation belongs to its partnership. */
  view(id: string, organisationId: string | null, texts = true): Promise<CycleView | undefined> {
    return this.viewReads.add({ id, organisationId, texts });
  }

  private async readBatch(batch: { id: string; organisationId: string | null; texts: boolean }[]): Promise<(CycleView | undefined)[]> {
    // The snapshots and texts held now: a row answered without either is at exactly that version.
    const held = batch.map((b) => this.snapshots.get(b.id));
    const rows = await this.readViews([
      batch.map((b) => b.id),
      batch.map((b) => b.organisationId),
      held.map((h) => (h?.snapshot ? h.version : null)),
      batch.map((b) => b.texts),
      held.map((h) => (h?.texts ? h.version : null)),
    ]);
    const views: (CycleView | undefined)[] = batch.map(() => undefined);
    for (const r of rows) {
      const i = Number(r.n) - 1;
      const read = { snapshot: r.snapshot ?? undefined, storedBytes: r.snapshot_size, texts: r.texts };
      if (r.snapshot === null) r.snapshot = held[i]!.snapshot!;
      if (r.texts === null && batch[i].texts) r.texts = held[i]!.texts!;
      this.snapshots.remember(r.id, r.version, read);
      views[i] = {
        row: toEntity(r),
        member: r.member,
        archived: r.archived,
        milestones: r.milestones,
        progress: r.progress,
        progressCount: r.progress_count,
        texts: r.texts,
      };
    }
    return views;
  }

  /** A cycle's events written by the one statement, batched with others'. Not moved when the race was lost (or a guard of the head's refused). */
  writeBatched(write: EventWrite): Promise<WriteOutcome> {
    return this.eventWrites.add(write);
  }

  /** Cycles' events written by the one statement in the caller's transaction; answers the ids that moved. */
  async write(writes: EventWrite[]): Promise<Set<string>> {
    if (!writes.length) return new Set();
    const rows: { id: string }[] = await this.manager.query(WRITE_EVENTS, paramsOf(writes));
    return new Set(rows.map((r) => r.id));
  }

  private async writeBatch(batch: EventWrite[]): Promise<WriteOutcome[]> {
    const rows = await this.writeEvents(paramsOf(batch));
    const moved = new Map(rows.map((r) => [r.id, r.milestones ?? undefined]));
    // Committed (the statement is its own transaction): a snapshot held moves on with its cycle.
    // (Writes inside a transaction are not followed: it may yet roll back.)
    for (const { head } of batch) if (moved.has(head.id)) this.snapshots.moved(head.id, head.expectedVersion, head.version, head.snapshot, head.texts);
    return batch.map((write) => ({ moved: moved.has(write.head.id), milestones: moved.get(write.head.id) }));
  }

  find(id: string): Promise<CycleEntity | null> {
    return this.dataSource.getRepository(CycleEntity).findOneBy({ id });
  }

  /** The row, locked until the transaction ends: writers of one cycle queue behind each other. */
  findForUpdate(id: string): Promise<CycleEntity | null> {
    return this.manager.getRepository(CycleEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Rows of several cycles, locked in id order (the order every writer takes them in). */
  async lockMany(ids: string[]): Promise<CycleEntity[]> {
    if (!ids.length) return [];
    // Plain SQL: a storm locks hundreds of rows with their snapshots, too many to hydrate through TypeORM.
    const rows: CycleRow[] = await this.manager.query(
      `SELECT ${CYCLE_COLUMNS} FROM cycles c WHERE c.id = ANY($1::uuid[]) ORDER BY c.id FOR UPDATE`,
      [ids],
    );
    return rows.map(toEntity);
  }

  /** A new cycle: its snapshot stored without its texts, which go to cycle_texts. */
  async insert(cycle: Omit<CycleEntity, 'createdAt' | 'updatedAt'>): Promise<void> {
    const { slim, texts } = splitTexts(cycle.snapshot);
    await this.manager.insert(CycleEntity, { ...cycle, snapshot: slim as Record<string, any> });
    const rows = Object.entries(texts).map(([key, body]) => ({ cycleId: cycle.id, key, body }));
    if (rows.length) await this.manager.insert(CycleTextEntity, rows);
  }

  /** The statement of one of a cycle's problem revisions (in the caller's transaction). */
  async revisionStatement(cycleId: string, revision: number): Promise<string | undefined> {
    const rows: { body: string }[] = await this.manager.query(`SELECT body FROM cycle_texts WHERE cycle_id = $1 AND key = $2`, [cycleId, revisionTextKey(revision)]);
    return rows[0]?.body;
  }

  /** Notifications of a new cycle's tasks (iteration n+1 waiting to be launched), in the caller's transaction. */
  async insertNotes(notes: TaskNote[]): Promise<void> {
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

  /** Progress updates after the one at `afterSeq`, oldest first, `limit` at most. */
  async progressPage(cycleId: string, afterSeq: number, limit: number): Promise<ProgressEntry[]> {
    const rows: { entry: ProgressEntry }[] = await this.dataSource.query(
      `SELECT ${PROGRESS_ENTRY} AS entry FROM cycle_history h
       WHERE h.cycle_id = $1 AND h.type = 'RECORD_PROGRESS' AND h.seq > $2 ORDER BY h.seq LIMIT $3`,
      [cycleId, afterSeq, limit],
    );
    return rows.map((r) => r.entry);
  }

  /**
   * The cycles "Your work" lists, newest first: those the person's organisation co-owns, or the
   * person reviews or facilitates, and only those the person may see (a member organisation's; an
   * independent facilitator's where named), read in one statement with what deciding who must act
   * needs: the snapshot (stored without the texts of problem revisions and options).
   */
  async involvingSummaries(organisationId: string, userId: string, facilitatorKind: boolean, limit: number): Promise<InvolvingSummary[]> {
    const rows: { id: string; title: string; iteration: number; state: string; updated_at: Date; archived: boolean; snapshot: Record<string, any> }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.iteration, c.state, c.updated_at, p.archived_at IS NOT NULL AS archived, c.snapshot
       FROM cycles c JOIN partnerships p ON p.id = c.partnership_id
       WHERE CASE WHEN $4 THEN c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($2::text)
         ELSE EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = c.partnership_id AND pm.organisation_id = $1)
           AND (c.snapshot->'context'->'coOwners' @> jsonb_build_array(jsonb_build_object('organisationId', $1::text))
             OR c.snapshot->'context'->'panelUserIds' @> jsonb_build_array($2::text)
             OR c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array($2::text)) END
       ORDER BY c.created_at DESC, c.id DESC LIMIT $3`,
      [organisationId, userId, limit, facilitatorKind],
    );
    return rows.map((r) => ({ id: r.id, title: r.title, iteration: r.iteration, state: r.state, updatedAt: r.updated_at, archived: r.archived, snapshot: r.snapshot }));
  }

  /**
   * What changes whenever "Your work" may for a member organisation's people: its partnerships
   * (joined, left, archived) and every event of their cycles (versions), read without snapshots.
   */
  async involvementStamp(organisationId: string): Promise<string> {
    const [row]: { n: string; v: string; ps: string | null }[] = await this.dataSource.query(
      `SELECT count(c.id) AS n, coalesce(sum(c.version), 0) AS v,
         (SELECT string_agg(pm.partnership_id::text || ':' || coalesce(p.archived_at::text, ''), ',' ORDER BY pm.partnership_id)
            FROM partnership_members pm JOIN partnerships p ON p.id = pm.partnership_id WHERE pm.organisation_id = $1) AS ps
       FROM cycles c WHERE c.partnership_id IN (SELECT partnership_id FROM partnership_members WHERE organisation_id = $1)`,
      [organisationId],
    );
    return `${row.n}:${row.v}:${row.ps ?? ''}`;
  }

  /** Live options of a partnership's cycles (cancelled ones aside) that use on-the-table items. */
  async tableItemsInUse(partnershipId: string): Promise<{ cycle_title: string; option_title: string; organisation_id: string; item: string }[]> {
    return this.dataSource.query(
      `SELECT c.title AS cycle_title, o->>'title' AS option_title, t->>'organisationId' AS organisation_id, t->>'item' AS item
       FROM cycles c, jsonb_array_elements(c.snapshot->'context'->'options') AS o, jsonb_array_elements(coalesce(o->'tableItems', '[]'::jsonb)) AS t
       WHERE c.partnership_id = $1 AND c.state <> 'cancelled' AND o->>'status' = 'live'
       ORDER BY c.created_at, o->>'title'`,
      [partnershipId],
    );
  }

  /** Cycles in delivery with open actions (the daily pass of action reminders reads them). */
  async withOpenActions(): Promise<{ id: string; title: string; partnership_id: string; actions: DeliveryAction[] }[]> {
    return this.dataSource.query(
      `SELECT c.id, c.title, c.partnership_id, c.snapshot->'context'->'actions' AS actions FROM cycles c
       WHERE c.state = 'delivering' AND jsonb_path_exists(c.snapshot, '$.context.actions[*] ? (@.doneAt == null)')`,
    );
  }

  /** What a partnership's cycles (cancelled ones aside) hold of money: pledges and proposals. */
  async fundingOf(partnershipId: string): Promise<{ pledges: Pledge[] | null; proposals: Proposal[] }[]> {
    return this.dataSource.query(
      `SELECT c.snapshot->'context'->'pledges' AS pledges, c.snapshot->'context'->'proposals' AS proposals
       FROM cycles c WHERE c.partnership_id = $1 AND c.state <> 'cancelled'`,
      [partnershipId],
    );
  }

  /**
   * Every metric reading recorded in a partnership's cycles (cancelled ones too: what was measured
   * was measured), oldest first, with its cycle (the partial index cycle_history_progress_idx finds
   * the progress entries of each cycle).
   */
  /** What changes whenever anything read from a partnership's cycles or outcome framework may have: its cycles' versions and its outcomes. */
  async seriesStamp(partnershipId: string): Promise<string> {
    const [row]: { cycles: string; versions: string; outcomes: string; latest: Date | null }[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM cycles WHERE partnership_id = $1) AS cycles,
              (SELECT coalesce(sum(version), 0) FROM cycles WHERE partnership_id = $1) AS versions,
              (SELECT count(*) FROM outcomes WHERE partnership_id = $1) AS outcomes,
              (SELECT max(created_at) FROM outcomes WHERE partnership_id = $1) AS latest`,
      [partnershipId],
    );
    return `${row.cycles}:${row.versions}:${row.outcomes}:${row.latest?.toISOString() ?? ''}`;
  }

  async readingsOf(partnershipId: string): Promise<PartnershipReading[]> {
    const rows: { cycle_id: string; seq: number; at: Date; organisation_id: string | null; metric: string; value: number }[] = await this.dataSource.query(
      `SELECT c.id AS cycle_id, h.seq, h.at, h.organisation_id, r->>'metric' AS metric, (r->>'value')::float8 AS value
       FROM cycles c
       JOIN cycle_history h ON h.cycle_id = c.id AND h.type = 'RECORD_PROGRESS'
       CROSS JOIN LATERAL jsonb_array_elements(COALESCE(h.payload->'readings', '[]'::jsonb)) AS r
       WHERE c.partnership_id = $1 AND jsonb_typeof(r->'value') = 'number'
       ORDER BY h.at, c.created_at, c.id, h.seq`,
      [partnershipId],
    );
    return rows.map((r) => ({ cycleId: r.cycle_id, seq: r.seq, at: r.at, organisationId: r.organisation_id, metric: r.metric, value: r.value }));
  }

  /** A partnership's cycles, oldest first, with what their open-data views read of their snapshots. */
  async recordsOf(partnershipId: string): Promise<PartnershipCycleRecord[]> {
    const rows: {
      id: string;
      title: string;
      iteration: number;
      state: string;
      created_at: Date;
      metrics: CycleMetric[] | null;
      options: Omit<CycleOption, 'summary'>[] | null;
      proposals: Proposal[] | null;
      learnings: Learning[] | null;
    }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.iteration, c.state, c.created_at, c.snapshot->'context'->'metrics' AS metrics,
         c.snapshot->'context'->'options' AS options, c.snapshot->'context'->'proposals' AS proposals,
         c.snapshot->'context'->'learnings' AS learnings
       FROM cycles c WHERE c.partnership_id = $1 ORDER BY c.created_at, c.id`,
      [partnershipId],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      iteration: r.iteration,
      state: r.state,
      createdAt: r.created_at,
      metrics: r.metrics ?? [],
      options: r.options ?? [],
      proposals: r.proposals ?? [],
      learnings: r.learnings ?? [],
    }));
  }

  /** The titles of a partnership's unfinished cycles an organisation co-owns. */
  async unfinishedCoOwnedBy(partnershipId: string, organisationId: string): Promise<string[]> {
    const rows: { title: string }[] = await this.manager.query(
      `SELECT c.title FROM cycles c WHERE c.partnership_id = $1 AND c.state NOT IN ('closed', 'cancelled')
         AND c.snapshot->'context'->'coOwners' @> jsonb_build_array(jsonb_build_object('organisationId', $2::text))
       ORDER BY c.created_at, c.id`,
      [partnershipId, organisationId],
    );
    return rows.map((r) => r.title);
  }

  /** Newest first, keyset-paginated. */
  async list(filter: CycleListFilter): Promise<CycleSummaryRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const conditions: string[] = [];
    if (filter.state) conditions.push(`c.state = ${param(filter.state)}`);
    if (filter.facilitatorUserId) conditions.push(`c.snapshot->'context'->'facilitatorUserIds' @> jsonb_build_array(${param(filter.facilitatorUserId)}::text)`);
    if (filter.after) {
      conditions.push(`(c.created_at, c.id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`);
    }
    const limit = param(filter.limit);
    const columns = `c.id, c.partnership_id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.version,
      c.snapshot->'context'->'coOwners' AS co_owners, c.snapshot->'context'->'panelUserIds' AS panel_user_ids,
      c.created_at, c.updated_at`;
    // The newest of each visible partnership through its (partnership_id, created_at, id) index,
    // merged: a page costs the same however many cycles other partnerships hold.
    const partnerships =
      filter.visibleToOrganisationId === null
        ? `SELECT id AS partnership_id FROM partnerships${filter.partnershipId ? ` WHERE id = ${param(filter.partnershipId)}` : ''}`
        : `SELECT partnership_id FROM partnership_members WHERE organisation_id = ${param(filter.visibleToOrganisationId)}${
            filter.partnershipId ? ` AND partnership_id = ${param(filter.partnershipId)}` : ''
          }`;
    const sql = `SELECT c.* FROM (${partnerships}) m
      CROSS JOIN LATERAL (
        SELECT ${columns} FROM cycles c
        WHERE c.partnership_id = m.partnership_id ${conditions.map((x) => `AND ${x}`).join(' ')}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}) c
      ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}`;
    const rows: Record<string, any>[] = await this.dataSource.query(sql, params);
    return rows.map((r) => ({ ...commonFields(r as CycleRow), coOwners: r.co_owners, panelUserIds: r.panel_user_ids }));
  }

  /** When each of these cycles first reached each state, by cycle id. */
  async statesReached(ids: string[]): Promise<Map<string, StatesReached>> {
    if (!ids.length) return new Map();
    const rows: { id: string; reached: StatesReached }[] = await this.dataSource.query(
      `SELECT c.id, COALESCE(${STATES_REACHED}, '{}') AS reached FROM cycles c WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.reached]));
  }

  /**
   * The learning of a partnership's cycles, oldest cycle first, `limit` cycles at most after `after`
   * (keyset as exportPage), and nothing else of them: the learning download reads a page, writes it
   * out and forgets it.
   */
  async learningPage(partnershipId: string, after: ExportCursor | undefined, limit: number): Promise<{ id: string; title: string; iteration: number; learnings: Learning[]; cursor: ExportCursor }[]> {
    const rows: { id: string; title: string; iteration: number; learnings: Learning[] | null; cursor_at: string }[] = await this.dataSource.query(
      `SELECT c.id, c.title, c.iteration, c.snapshot->'context'->'learnings' AS learnings,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM cycles c
       WHERE c.partnership_id = $1 ${after ? 'AND (c.created_at, c.id) > ($3::timestamptz, $4::uuid)' : ''}
       ORDER BY c.created_at, c.id LIMIT $2`,
      after ? [partnershipId, limit, after.createdAt, after.id] : [partnershipId, limit],
    );
    return rows.map((r) => ({ id: r.id, title: r.title, iteration: r.iteration, learnings: r.learnings ?? [], cursor: { createdAt: r.cursor_at, id: r.id } }));
  }

  /**
   * A partnership's cycles oldest first, `limit` at most after `after` (keyset on its
   * (partnership_id, created_at, id) index: every page costs the same, however far in), with
   * their milestones and the times they first reached each state: an export reads a page, writes
   * it out and forgets it.
   */
  async exportPage(partnershipId: string, after: ExportCursor | undefined, limit: number): Promise<(CycleExportRow & { cursor: ExportCursor })[]> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT ${EXPORT_COLUMNS} FROM cycles c CROSS JOIN LATERAL (SELECT c.snapshot->'context' AS ctx) x
       WHERE c.partnership_id = $1 ${after ? 'AND (c.created_at, c.id) > ($3::timestamptz, $4::uuid)' : ''}
       ORDER BY c.created_at, c.id LIMIT $2`,
      after ? [partnershipId, limit, after.createdAt, after.id] : [partnershipId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      iteration: r.iteration,
      previousCycleId: r.previous_cycle_id,
      nextCycleId: r.next_cycle_id,
      state: r.state,
      version: r.version,
      updatedAt: r.updated_at,
      context: r.context,
      milestones: r.milestones,
      reached: r.reached,
      cursor: { createdAt: r.cursor_at, id: r.id },
    }));
  }

  /**
   * The exact creation time of a cycle, for keyset pagination (microseconds kept), with its
   * partnership and whether an organisation belongs to it (a cursor must be one the caller could see).
   */
  async cursorOf(
    id: string,
    organisationId: string | null,
  ): Promise<{ createdAt: string; id: string; partnershipId: string; member: boolean } | undefined> {
    const rows: { created_at: string; partnership_id: string; member: boolean }[] = await this.dataSource.query(
      `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, c.partnership_id,
         EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = c.partnership_id AND pm.organisation_id = $2) AS member
       FROM cycles c WHERE c.id = $1`,
      [id, organisationId],
    );
    const r = rows[0];
    return r ? { createdAt: r.created_at, id, partnershipId: r.partnership_id, member: r.member } : undefined;
  }

}
