/** A partnership's cycles read as series (for its open data and its table items, through CycleQueriesService): their metric readings, what their snapshots publish, and a stamp of when either may change. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OUTCOMES_COUNT, OUTCOMES_LATEST } from '@app/partnerships/partnerships.fragment';
import type { CycleMetric, CycleOption, Learning, Proposal } from '@app/domain';

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

@Injectable()
export class CycleSeriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** What changes whenever anything read from a partnership's cycles or outcome framework may have: its cycles' versions and its outcomes. */
  async seriesStamp(partnershipId: string): Promise<string> {
    const [row]: { cycles: string; versions: string; outcomes: string; latest: Date | null }[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM cycles WHERE partnership_id = $1) AS cycles,
              (SELECT coalesce(sum(version), 0) FROM cycles WHERE partnership_id = $1) AS versions,
              ${OUTCOMES_COUNT('$1')} AS outcomes,
              ${OUTCOMES_LATEST('$1')} AS latest`,
      [partnershipId],
    );
    return `${row.cycles}:${row.versions}:${row.outcomes}:${row.latest?.toISOString() ?? ''}`;
  }

  /**
   * Every metric reading recorded in a partnership's cycles (cancelled ones too: what was measured
   * was measured), oldest first, with its cycle (the partial index cycle_history_progress_idx finds
   * the progress entries of each cycle).
   */
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
}
