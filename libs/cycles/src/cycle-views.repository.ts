/** Reading cycles one by one as their views and the write path need them: batched view reads (kept parts from the CycleStore), rows, texts and progress pages. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Batcher, type JsonObject, preparedStatement, Transactions } from '@app/database';
import { MILESTONES_OF } from '@app/milestones/milestones.fragment';
import { IS_ARCHIVED, IS_MEMBER } from '@app/partnerships/partnerships.fragment';
import { type CycleTexts, type ProgressEntry, revisionTextKey, textsSize } from '@app/domain';
import { CycleEntity } from './cycle.entity';
import { CYCLE_COLUMNS, type CycleRow, type CycleView, PROGRESS_ENTRY, RECENT_PROGRESS, STATES_REACHED, type StatesReached, toEntity } from './cycle-rows';
import { CycleStore, type PartsToKeep } from './cycle-store';

/**
 * Cycles, whether an organisation belongs to each one's partnership, their milestones, their
 * newest progress updates (from the history: the snapshot does not keep them; the partial index
 * cycle_history_progress_idx finds them) and how many there are (kept on the row), for a batch of reads
 * (one round trip for all): `$1` the cycle ids, `$2` the organisations asking, row for row, `$3`
 * the version whose snapshot this process already keeps (CycleStore): that snapshot is not
 * read, sent or parsed again; `$4` whether its texts are wanted (a view's, not an event's); `$5`
 * the version whose texts this process already keeps: they are not read again either.
 * (Membership, archiving and milestones are read through their features' fragments.)
 */
const READ_VIEWS = `
  SELECT i.n, ${CYCLE_COLUMNS.replace('c.snapshot,', `CASE WHEN c.version = i.known THEN NULL ELSE c.snapshot END AS snapshot, pg_column_size(c.snapshot) AS snapshot_size,`)},
    ${IS_MEMBER('c.partnership_id', 'i.org')} AS member,
    ${IS_ARCHIVED('c.partnership_id')} AS archived,
    ${MILESTONES_OF('c.id')} AS milestones,
    COALESCE((SELECT json_agg(${PROGRESS_ENTRY} ORDER BY h.seq) FROM (
        SELECT * FROM cycle_history h WHERE h.cycle_id = c.id AND h.type = 'RECORD_PROGRESS'
        ORDER BY h.seq DESC LIMIT ${RECENT_PROGRESS}) h), '[]') AS progress,
    CASE WHEN i.texts AND c.version IS DISTINCT FROM i.known_texts
      THEN COALESCE((SELECT json_object_agg(t.key, t.body) FROM cycle_texts t WHERE t.cycle_id = c.id), '{}') END AS texts
  FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::bool[], $5::int[]) WITH ORDINALITY AS i(id, org, known, texts, known_texts, n)
  JOIN cycles c ON c.id = i.id`;

/**
 * What is worth keeping of a read (large cycles: years of revisions and options, hundreds of KB
 * each): a snapshot from this stored (compressed) size, texts from this size. Small ones are
 * cheaper to read than to keep.
 */
const SNAPSHOT_KEPT_FROM_STORED_BYTES = 4 * 1024;
const TEXTS_KEPT_FROM_BYTES = 16 * 1024;

@Injectable()
export class CycleViewsRepository {
  private readonly readViews;
  // One batch on its way at a time: what arrives meanwhile makes the next batch bigger, so the
  // round trips (each wakes a PostgreSQL backend, costly on a VM) are shared by more requests.
  /** Reads that arrive while others are on their way go together: one statement, one round trip. */
  private readonly viewReads = new Batcher<{ id: string; organisationId: string | null; texts: boolean }, CycleView | undefined>((batch) => this.readBatch(batch), { maxBatch: 64, maxInFlight: 1 });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly store: CycleStore,
  ) {
    this.readViews = preparedStatement<CycleRow & Omit<CycleView, 'row' | 'progressCount'> & { n: string; snapshot_size: number }>(dataSource, 'cycle_views', READ_VIEWS);
  }

  /** The cycle with its milestones, and whether an organisation belongs to its partnership. */
  view(id: string, organisationId: string | null, texts = true): Promise<CycleView | undefined> {
    return this.viewReads.add({ id, organisationId, texts });
  }

  private async readBatch(batch: { id: string; organisationId: string | null; texts: boolean }[]): Promise<(CycleView | undefined)[]> {
    // The snapshots and texts kept now: a row answered without either is at exactly that version.
    const kept = batch.map((b) => this.store.get(b.id));
    const rows = await this.readViews([
      batch.map((b) => b.id),
      batch.map((b) => b.organisationId),
      kept.map((k) => (k?.parts.snapshot ? k.version : null)),
      batch.map((b) => b.texts),
      kept.map((k) => (k?.parts.texts ? k.version : null)),
    ]);
    const views: (CycleView | undefined)[] = batch.map(() => undefined);
    for (const r of rows) {
      const i = Number(r.n) - 1;
      const read = { snapshot: r.snapshot ?? undefined, storedBytes: r.snapshot_size, texts: r.texts };
      if (r.snapshot === null) r.snapshot = kept[i]!.parts.snapshot!;
      if (r.texts === null && batch[i].texts) r.texts = kept[i]!.parts.texts!;
      this.remember(r.id, r.version, read);
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

  /** What a read brought back of a version (each unless it came from the store): kept if large, dropped if not. */
  private remember(id: string, version: number, read: { snapshot?: JsonObject; storedBytes: number; texts?: CycleTexts | null }): void {
    if (!read.snapshot && !read.texts) return;
    const parts: PartsToKeep = {};
    // Parsed, a snapshot takes several times its compressed size.
    if (read.snapshot) parts.snapshot = read.storedBytes >= SNAPSHOT_KEPT_FROM_STORED_BYTES ? { value: read.snapshot, bytes: read.storedBytes * 8 } : null;
    if (read.texts) {
      const size = textsSize(read.texts);
      parts.texts = size >= TEXTS_KEPT_FROM_BYTES ? { value: read.texts, bytes: size } : null;
    }
    this.store.keep(id, version, parts);
  }

  find(id: string): Promise<CycleEntity | null> {
    return this.dataSource.getRepository(CycleEntity).findOneBy({ id });
  }

  /** The statement of one of a cycle's problem revisions (in the caller's transaction). */
  async revisionStatement(cycleId: string, revision: number): Promise<string | undefined> {
    const rows: { body: string }[] = await this.transactions.manager.query(`SELECT body FROM cycle_texts WHERE cycle_id = $1 AND key = $2`, [cycleId, revisionTextKey(revision)]);
    return rows[0]?.body;
  }

  /** Some of a cycle's texts, by key (a page of revisions or options: not the whole cycle's). */
  async textsOf(cycleId: string, keys: string[]): Promise<CycleTexts> {
    if (!keys.length) return {};
    const rows: { key: string; body: string }[] = await this.dataSource.query(`SELECT key, body FROM cycle_texts WHERE cycle_id = $1 AND key = ANY($2::text[])`, [cycleId, keys]);
    return Object.fromEntries(rows.map((r) => [r.key, r.body]));
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

  /** When each of these cycles first reached each state, by cycle id. */
  async statesReached(ids: string[]): Promise<Map<string, StatesReached>> {
    if (!ids.length) return new Map();
    const rows: { id: string; reached: StatesReached }[] = await this.dataSource.query(`SELECT c.id, COALESCE(${STATES_REACHED}, '{}') AS reached FROM cycles c WHERE c.id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.reached]));
  }

  /** Whether the guest followed an invitation to this cycle (a guest sees those cycles and no other). */
  async invitedGuest(cycleId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM cycle_invitations WHERE cycle_id = $1 AND guest_user_id = $2 LIMIT 1`, [cycleId, userId]);
    return rows.length > 0;
  }
}
