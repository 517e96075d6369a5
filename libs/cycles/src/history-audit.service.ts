/** A cycle's history read a page at a time and its chain verified from a checkpoint, not re-hashed in full. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan, MoreThanOrEqual } from 'typeorm';
import { CLOCK } from '@app/config';
import { type CycleTexts, RECORDED_PART_TYPES, type RecordedEntry, snapshotDisagreement } from '@app/domain';
import type { Clock } from '@app/domain';
import { CycleEntity, CycleHistoryEntity, HistoryCheckpointEntity } from './cycle.entity';
import { ChainHead, ChainVerdict, type HashScheme, type Seals, historyPages, verifyChain } from '@app/history';
import { AuditSigningKey, statementVerifies } from './audit-signing';

/** A full verification asked for again within this time goes on from the checkpoint of the last one instead. */
export const FULL_AT_MOST_EVERY_MS = 5 * 60_000;

const broken = (brokenAtSeq: number, length: number, reason: string): ChainVerdict => ({ intact: false, brokenAtSeq, length, reason });

/** A history entry as the one-statement verification reads it. */
interface EntryJson {
  seq: number;
  type: string;
  actorUserId: string | null;
  organisationId: string | null;
  representative: boolean;
  fromState: string | null;
  toState: string;
  payload: Record<string, unknown>;
  at: string;
  prevHash: string;
  hash: string;
  hashScheme: HashScheme;
  seals: Seals | null;
}

const HISTORY_COLUMNS = 'cycle_id, seq, type, actor_user_id, organisation_id, from_state, to_state, payload, representative, at, prev_hash, hash, hash_scheme, seals';

/** A history entry as a plain statement reads it. */
interface HistoryRow {
  cycle_id: string;
  seq: number;
  type: string;
  actor_user_id: string | null;
  organisation_id: string | null;
  from_state: string | null;
  to_state: string;
  payload: Record<string, unknown>;
  representative: boolean;
  at: Date;
  prev_hash: string;
  hash: string;
  hash_scheme: HashScheme;
  seals: Seals | null;
}

/** What a page of history is: the entries after the cursor, and the cursor for the next page. */
export interface HistoryPage {
  items: CycleHistoryEntity[];
  nextCursor: string | null;
}

/**
 * A cycle's history read a page at a time, and its chain verified from a checkpoint: a cycle that
 * lives for years is not re-hashed in full on every `verify` or page view. The checkpoint moves on
 * after every intact verification; a full one (asked for, or the background audit's) walks the
 * whole chain and keeps any break it finds, which every later verification reports until the
 * history holds again. Callers check visibility first.
 */
@Injectable()
export class HistoryAuditService {
  private readonly logger = new Logger('HistoryAudit');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signing: AuditSigningKey,
  ) {}

  /**
   * `full`: walk the whole chain (a person's request at most once in FULL_AT_MOST_EVERY_MS per cycle; the audit's always).
   * `stored`: compare the stored snapshot and texts with the history (see storedDisagreement) even
   * when the chain is verified from its checkpoint; every walk of the whole chain compares them.
   */
  async verify(cycleId: string, options: { full?: boolean; audit?: boolean; stored?: boolean } = {}): Promise<ChainVerdict | null> {
    if (!options.full) {
      const quick = await this.fromCheckpoint(cycleId, options.stored ?? false);
      if (quick) return quick;
    }
    const result = await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await m.getRepository(CycleEntity).findOne({ where: { id: cycleId }, select: { id: true, version: true, historyHash: true } });
      if (!head) return null;
      const chainHead = { version: head.version, historyHash: head.historyHash };
      const checkpoint = await m.getRepository(HistoryCheckpointEntity).findOneBy({ cycleId });
      const all = () => m.getRepository(CycleHistoryEntity).find({ where: { cycleId }, order: { seq: 'ASC' } });
      // What was verified stays evidence: a history now shorter than it, or whose checkpoint entry
      // is no longer the one verified, was rolled back or rewritten since (a full walk of the
      // rewritten chain alone could look intact).
      if (checkpoint && checkpoint.seq > 0) {
        if (head.version < checkpoint.seq) {
          return {
            head,
            full: true,
            verdict: broken(head.version + 1, head.version, `The cycle is at version ${head.version}, but entry ${checkpoint.seq} was verified before: entries were removed since.`),
          };
        }
        const at = await m.getRepository(CycleHistoryEntity).findOne({ where: { cycleId, seq: checkpoint.seq }, select: { seq: true, hash: true } });
        // (Missing altogether, the full walk below says which entries are gone.)
        if (at && at.hash !== checkpoint.hash) {
          return { head, full: true, verdict: broken(checkpoint.seq, head.version, `Entry ${checkpoint.seq} is not the entry verified before: the history was rewritten since.`) };
        }
      }
      // A known break, a full verification asked for (at most one per cycle in FULL_AT_MOST_EVERY_MS:
      // it hashes everything), a missing checkpoint entry, or nothing verified yet: the whole chain.
      const now = this.clock.now().getTime();
      const fullRecently = checkpoint?.fullCheckedAt && now - checkpoint.fullCheckedAt.getTime() < FULL_AT_MOST_EVERY_MS;
      const checkpointEntry = checkpoint && checkpoint.seq > 0 ? await m.getRepository(CycleHistoryEntity).exists({ where: { cycleId, seq: checkpoint.seq } }) : false;
      if ((options.full && (options.audit || !fullRecently)) || !checkpoint || checkpoint.seq === 0 || checkpoint.brokenAtSeq !== null || !checkpointEntry) {
        return { head, full: true, verdict: verifyChain(cycleId, await all(), chainHead) };
      }
      // From the checkpoint: its own entry hashed again (it must still be the one verified), then the rest must link on.
      if (checkpoint.seq === head.version && checkpoint.hash === head.historyHash) {
        const entry = await m.getRepository(CycleHistoryEntity).find({ where: { cycleId, seq: MoreThanOrEqual(checkpoint.seq) }, order: { seq: 'ASC' } });
        return { head, full: false, unchanged: true, verdict: verifyChain(cycleId, entry, chainHead, { seq: checkpoint.seq - 1, hash: entry[0]?.prevHash ?? '' }) };
      }
      const entries = await m.getRepository(CycleHistoryEntity).find({ where: { cycleId, seq: MoreThanOrEqual(checkpoint.seq) }, order: { seq: 'ASC' } });
      return { head, full: false, verdict: verifyChain(cycleId, entries, chainHead, { seq: checkpoint.seq - 1, hash: entries[0].prevHash }) };
    });
    if (!result) return null;
    if (result.verdict.intact && (result.full || options.stored)) {
      const stored = await this.storedDisagreement(cycleId, result.head.version);
      if (stored) result.verdict = stored;
    }
    // Nothing new to record when the chain had not moved since it was verified.
    if (!('unchanged' in result && result.unchanged && result.verdict.intact)) await this.record(cycleId, result.head, result.verdict, result.full);
    return result.verdict;
  }

  /**
   * What people see of the cycle against its history, in one statement (one snapshot of the
   * database): its stored snapshot's revisions, responses, options and proposals with their
   * consents, and its texts (cycle_texts), rebuilt from the history's entries. Undefined when
   * they agree, or when the cycle has moved on from `version` (the next verification compares).
   */
  private async storedDisagreement(cycleId: string, version: number): Promise<ChainVerdict | undefined> {
    const [row]: {
      version: number;
      snapshot: Record<string, unknown>;
      texts: CycleTexts;
      entries: (Omit<RecordedEntry, 'at'> & { at: string })[];
      created_at: string;
      carried: string | null;
      signed: { seq: number; hash: string; day: string; statement: string; signature: string; entry_hash: string | null } | null;
    }[] = await this.dataSource.query(
      `WITH RECURSIVE ancestors (id, depth) AS (
           SELECT (h.payload->>'previousCycleId')::uuid, 1 FROM cycle_history h WHERE h.cycle_id = $1 AND h.seq = 1 AND h.payload->>'previousCycleId' IS NOT NULL
           UNION ALL
           SELECT (h.payload->>'previousCycleId')::uuid, a.depth + 1 FROM ancestors a JOIN cycle_history h ON h.cycle_id = a.id AND h.seq = 1
           WHERE h.payload->>'previousCycleId' IS NOT NULL AND a.depth < 10000)
         SELECT c.version, c.snapshot,
           COALESCE((SELECT json_object_agg(t.key, t.body) FROM cycle_texts t WHERE t.cycle_id = c.id), '{}') AS texts,
           COALESCE((SELECT json_agg(json_build_object('seq', h.seq, 'type', h.type, 'actorUserId', h.actor_user_id, 'organisationId', h.organisation_id, 'payload', h.payload,
              'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY h.seq)
             FROM cycle_history h WHERE h.cycle_id = c.id AND h.seq <= c.version AND h.type = ANY($2)), '[]') AS entries,
           (SELECT to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM cycle_history h WHERE h.cycle_id = c.id AND h.seq = 1) AS created_at,
           (SELECT h.payload->>'statement' FROM ancestors a JOIN cycle_history h ON h.cycle_id = a.id AND h.type = 'REVISE_PROBLEM' ORDER BY a.depth, h.seq DESC LIMIT 1) AS carried,
           (SELECT json_build_object('seq', s.seq, 'hash', s.hash, 'day', to_char(s.day, 'YYYY-MM-DD'), 'statement', s.statement, 'signature', s.signature,
              'entry_hash', (SELECT h.hash FROM cycle_history h WHERE h.cycle_id = c.id AND h.seq = s.seq))
             FROM signed_heads s WHERE s.kind = 'cycle' AND s.chain_id = c.id ORDER BY s.seq DESC LIMIT 1) AS signed
         FROM cycles c WHERE c.id = $1`,
      [cycleId, RECORDED_PART_TYPES],
    );
    if (!row || row.version !== version) return undefined;
    // The newest head signed with the audit key (held outside the database) must still be in the chain.
    const key = row.signed && this.signing.get();
    if (row.signed && key) {
      const { seq, hash, day } = row.signed;
      const said = parsedStatement(row.signed.statement);
      if (!statementVerifies(key, row.signed.statement, row.signed.signature) || said?.kind !== 'cycle' || said.id !== cycleId || said.seq !== seq || said.hash !== hash) {
        return { intact: false, brokenAtSeq: seq, length: row.version, reason: `The head signed on ${day} (entry ${seq}) does not verify with the audit key: it was not signed by it.` };
      }
      if (row.signed.entry_hash !== hash) {
        return { intact: false, brokenAtSeq: seq, length: row.version, reason: `Entry ${seq} is not the entry signed on ${day}: the history was rewritten since.` };
      }
    }
    const entries = row.entries.map((e) => ({ ...e, at: new Date(e.at) }));
    const carried = row.carried !== null && row.created_at ? { statement: row.carried, at: new Date(row.created_at) } : undefined;
    const found = snapshotDisagreement(row.snapshot, row.texts, entries, row.version, carried);
    return found && { intact: false, brokenAtSeq: found.seq, length: row.version, reason: found.reason, disagrees: found.where };
  }

  /**
   * The common case in one statement (one snapshot, one round trip): a checkpoint with no known
   * break, still within the history, its entry still the one verified; the entries from it on are
   * verified. Anything else (undefined) takes the careful path above.
   */
  private async fromCheckpoint(cycleId: string, stored: boolean): Promise<ChainVerdict | undefined> {
    const [row]: { version: number; history_hash: string; k_seq: number; k_hash: string; entries: EntryJson[] }[] = await this.dataSource.query(
      `SELECT c.version, c.history_hash, k.seq AS k_seq, k.hash AS k_hash,
         (SELECT coalesce(json_agg(json_build_object('seq', h.seq, 'type', h.type, 'actorUserId', h.actor_user_id, 'organisationId', h.organisation_id,
            'representative', h.representative, 'fromState', h.from_state, 'toState', h.to_state, 'payload', h.payload,
            'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'prevHash', h.prev_hash, 'hash', h.hash, 'hashScheme', h.hash_scheme, 'seals', h.seals) ORDER BY h.seq), '[]'::json)
          FROM cycle_history h WHERE h.cycle_id = c.id AND h.seq >= k.seq) AS entries
       FROM cycles c JOIN history_checkpoints k ON k.cycle_id = c.id
       WHERE c.id = $1 AND k.broken_at_seq IS NULL AND k.seq > 0 AND k.seq <= c.version`,
      [cycleId],
    );
    const first = row?.entries[0];
    if (!row || first?.seq !== row.k_seq || first.hash !== row.k_hash) return undefined;
    const entries = row.entries.map((e) => ({ ...e, at: new Date(e.at) }));
    let verdict = verifyChain(cycleId, entries, { version: row.version, historyHash: row.history_hash }, { seq: row.k_seq - 1, hash: first.prevHash });
    if (verdict.intact && stored) verdict = (await this.storedDisagreement(cycleId, row.version)) ?? verdict;
    // Nothing new to record when the chain had not moved since it was verified.
    if (!(verdict.intact && row.k_seq === row.version)) await this.record(cycleId, { version: row.version, historyHash: row.history_hash }, verdict, false);
    return verdict;
  }

  /**
   * Moves the checkpoint to the head after an intact verification, or keeps the break found. Only
   * a full verification clears a known break (a quicker one that read before the break was found
   * cannot), and the checkpoint never moves back.
   */
  private async record(cycleId: string, head: { version: number; historyHash: string }, verdict: ChainVerdict, full: boolean): Promise<void> {
    const now = this.clock.now();
    const intact = verdict.intact;
    await this.dataSource.query(
      `INSERT INTO history_checkpoints AS k (cycle_id, seq, hash, checked_at, full_checked_at, broken_at_seq, broken_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (cycle_id) DO UPDATE SET
         seq = CASE WHEN EXCLUDED.broken_at_seq IS NULL AND (k.broken_at_seq IS NULL OR EXCLUDED.full_checked_at IS NOT NULL) THEN EXCLUDED.seq ELSE k.seq END,
         hash = CASE WHEN EXCLUDED.broken_at_seq IS NULL AND (k.broken_at_seq IS NULL OR EXCLUDED.full_checked_at IS NOT NULL) THEN EXCLUDED.hash ELSE k.hash END,
         checked_at = EXCLUDED.checked_at,
         full_checked_at = coalesce(EXCLUDED.full_checked_at, k.full_checked_at),
         broken_at_seq = CASE WHEN EXCLUDED.broken_at_seq IS NOT NULL OR EXCLUDED.full_checked_at IS NOT NULL THEN EXCLUDED.broken_at_seq ELSE k.broken_at_seq END,
         broken_reason = CASE WHEN EXCLUDED.broken_at_seq IS NOT NULL OR EXCLUDED.full_checked_at IS NOT NULL THEN EXCLUDED.broken_reason ELSE k.broken_reason END
       WHERE EXCLUDED.broken_at_seq IS NOT NULL OR k.seq <= EXCLUDED.seq`,
      [cycleId, intact ? head.version : 0, intact ? head.historyHash : '', now, full ? now : null, intact ? null : verdict.brokenAtSeq, intact ? null : verdict.reason],
    );
    if (!intact) this.logger.error(`The history of cycle ${cycleId} does not verify at entry ${verdict.brokenAtSeq}: ${verdict.reason}`);
  }

  /**
   * The background audit: the cycles whose chains were verified in full longest ago (never first)
   * are verified in full again. Returns how many were checked and which are broken. `between` is
   * told how long each cycle took, after it: the caller may rest (a long history takes its CPU and
   * PostgreSQL's in one go), or answer false to stop there.
   */
  async auditOldest(limit: number, between?: (elapsedMs: number) => Promise<boolean>): Promise<{ checked: number; broken: string[] }> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT c.id FROM cycles c LEFT JOIN history_checkpoints k ON k.cycle_id = c.id
       ORDER BY k.full_checked_at ASC NULLS FIRST, c.id LIMIT $1`,
      [limit],
    );
    const broken: string[] = [];
    let checked = 0;
    for (const { id } of rows) {
      const started = performance.now();
      const verdict = await this.verify(id, { full: true, audit: true });
      checked++;
      if (verdict && !verdict.intact) broken.push(id);
      if (between && !(await between(performance.now() - started))) break;
    }
    return { checked, broken };
  }

  /** Entries after the cursor (a seq this list gave out), oldest first. */
  async page(cycleId: string, cursor: number, limit: number): Promise<HistoryPage> {
    const rows = await this.dataSource.getRepository(CycleHistoryEntity).find({ where: { cycleId, seq: MoreThan(cursor) }, order: { seq: 'ASC' }, take: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
  }

  /**
   * The newest entries (before `beforeSeq`, for an older page), newest first: what a page shows of
   * a long history. Plain SQL, the entities made as TypeORM makes them (every cycle page asks:
   * building the statement cost more than running it).
   */
  async newest(cycleId: string, limit: number, beforeSeq?: number): Promise<CycleHistoryEntity[]> {
    const rows: HistoryRow[] =
      beforeSeq === undefined
        ? await this.dataSource.query(`SELECT ${HISTORY_COLUMNS} FROM cycle_history WHERE cycle_id = $1 ORDER BY seq DESC LIMIT $2`, [cycleId, limit])
        : await this.dataSource.query(`SELECT ${HISTORY_COLUMNS} FROM cycle_history WHERE cycle_id = $1 AND seq < $3 ORDER BY seq DESC LIMIT $2`, [cycleId, limit, beforeSeq]);
    return rows.map((r) =>
      Object.assign(new CycleHistoryEntity(), {
        cycleId: r.cycle_id,
        seq: r.seq,
        type: r.type,
        actorUserId: r.actor_user_id,
        organisationId: r.organisation_id,
        fromState: r.from_state,
        toState: r.to_state,
        payload: r.payload,
        representative: r.representative,
        at: r.at,
        prevHash: r.prev_hash,
        hash: r.hash,
        hashScheme: r.hash_scheme,
        seals: r.seals,
      }),
    );
  }

  /**
   * The cycle's head as its row keeps it now, and its entries up to it a page at a time (for the
   * offline audit's export: the file ends with this head, whatever is appended meanwhile). Null: no cycle.
   */
  async exportOf(cycleId: string, pageSize = 500): Promise<{ head: ChainHead; pages: AsyncGenerator<CycleHistoryEntity[]> } | null> {
    const row = await this.dataSource.getRepository(CycleEntity).findOne({ where: { id: cycleId }, select: { id: true, version: true, historyHash: true } });
    if (!row) return null;
    const head = { version: row.version, historyHash: row.historyHash };
    return { head, pages: historyPages(this.dataSource.manager, CycleHistoryEntity, 'cycleId', cycleId, head.version, pageSize) };
  }

  /** The whole history, oldest first, a page at a time (constant memory however long it is). */
  async *all(cycleId: string, pageSize = 500): AsyncGenerator<CycleHistoryEntity[]> {
    let cursor = 0;
    for (;;) {
      const { items, nextCursor } = await this.page(cycleId, cursor, pageSize);
      if (items.length) yield items;
      if (nextCursor === null) return;
      cursor = Number(nextCursor);
    }
  }
}

/** A signed statement's fields (undefined when it is not JSON). */
function parsedStatement(statement: string): { kind?: string; id?: string; seq?: number; hash?: string } | undefined {
  try {
    return JSON.parse(statement);
  } catch {
    return undefined;
  }
}
