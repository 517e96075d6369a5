import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, MoreThan, MoreThanOrEqual } from 'typeorm';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { CycleEntity, CycleHistoryEntity, HistoryCheckpointEntity } from './cycle.entity';
import { ChainVerdict, verifyChain } from './history-chain';

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
  ) {}

  async verify(cycleId: string, options: { full?: boolean } = {}): Promise<ChainVerdict | null> {
    const read = await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await m.getRepository(CycleEntity).findOne({ where: { id: cycleId }, select: { id: true, version: true, historyHash: true } });
      if (!head) return null;
      const checkpoint = options.full ? null : await m.getRepository(HistoryCheckpointEntity).findOneBy({ cycleId });
      // A known break is checked in full again (it is reported until the history holds).
      const usable = checkpoint && checkpoint.brokenAtSeq === null && checkpoint.seq > 0 && checkpoint.seq <= head.version ? checkpoint : null;
      const entries = await m.getRepository(CycleHistoryEntity).find({ where: { cycleId, ...(usable && { seq: MoreThanOrEqual(usable.seq) }) }, order: { seq: 'ASC' } });
      return { head, checkpoint: usable, entries };
    });
    if (!read) return null;
    const { head, checkpoint, entries } = read;
    const chainHead = { version: head.version, historyHash: head.historyHash };
    const first = entries[0];
    // From the checkpoint: its own entry must still be the one verified (same hash, content re-hashed), then the rest links on.
    const fromCheckpoint = checkpoint && first?.seq === checkpoint.seq && first.hash === checkpoint.hash;
    const full = !fromCheckpoint;
    const verdict = fromCheckpoint
      ? verifyChain(entries, chainHead, { seq: checkpoint.seq - 1, hash: first.prevHash })
      : verifyChain(checkpoint ? await this.dataSource.getRepository(CycleHistoryEntity).find({ where: { cycleId }, order: { seq: 'ASC' } }) : entries, chainHead);
    await this.record(cycleId, head, verdict, full);
    return verdict;
  }

  /** Moves the checkpoint to the head after an intact verification, or keeps the break found. */
  private async record(cycleId: string, head: { version: number; historyHash: string }, verdict: ChainVerdict, full: boolean): Promise<void> {
    const now = this.clock.now();
    const intact = verdict.intact;
    // Never moves back: a slower verification of an older head does not overwrite a newer one.
    await this.dataSource.query(
      `INSERT INTO history_checkpoints AS k (cycle_id, seq, hash, checked_at, full_checked_at, broken_at_seq, broken_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (cycle_id) DO UPDATE SET
         seq = CASE WHEN EXCLUDED.broken_at_seq IS NULL THEN EXCLUDED.seq ELSE k.seq END,
         hash = CASE WHEN EXCLUDED.broken_at_seq IS NULL THEN EXCLUDED.hash ELSE k.hash END,
         checked_at = EXCLUDED.checked_at,
         full_checked_at = coalesce(EXCLUDED.full_checked_at, k.full_checked_at),
         broken_at_seq = EXCLUDED.broken_at_seq,
         broken_reason = EXCLUDED.broken_reason
       WHERE EXCLUDED.broken_at_seq IS NOT NULL OR k.seq <= EXCLUDED.seq`,
      [
        cycleId,
        intact ? head.version : 0,
        intact ? head.historyHash : '',
        now,
        full ? now : null,
        intact ? null : verdict.brokenAtSeq,
        intact ? null : verdict.reason,
      ],
    );
    if (!intact) this.logger.error(`The history of cycle ${cycleId} does not verify at entry ${verdict.brokenAtSeq}: ${verdict.reason}`);
  }

  /**
   * The background audit: the cycles whose chains were verified in full longest ago (never first)
   * are verified in full again. Returns how many were checked and which are broken.
   */
  async auditOldest(limit: number): Promise<{ checked: number; broken: string[] }> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT c.id FROM cycles c LEFT JOIN history_checkpoints k ON k.cycle_id = c.id
       ORDER BY k.full_checked_at ASC NULLS FIRST, c.id LIMIT $1`,
      [limit],
    );
    const broken: string[] = [];
    for (const { id } of rows) {
      const verdict = await this.verify(id, { full: true });
      if (verdict && !verdict.intact) broken.push(id);
    }
    return { checked: rows.length, broken };
  }

  /** Entries after the cursor (a seq this list gave out), oldest first. */
  async page(cycleId: string, cursor: number, limit: number): Promise<HistoryPage> {
    const rows = await this.dataSource.getRepository(CycleHistoryEntity).find({ where: { cycleId, seq: MoreThan(cursor) }, order: { seq: 'ASC' }, take: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
  }

  /** The newest entries (before `beforeSeq` when given), newest first: what a page shows of a long history. */
  newest(cycleId: string, limit: number, beforeSeq?: number): Promise<CycleHistoryEntity[]> {
    return this.dataSource.getRepository(CycleHistoryEntity).find({ where: { cycleId, ...(beforeSeq !== undefined && { seq: LessThan(beforeSeq) }) }, order: { seq: 'DESC' }, take: limit });
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
