/** What the cycles repositories share: a cycle's columns and row mapping, its view's shape, and the SQL of its progress and states reached. */
import type { CycleTexts, ProgressEntry } from '@app/domain';
import type { CycleMilestoneView } from '@app/milestones/milestones.fragment';
import type { CycleEntity } from './cycle.entity';
import type { JsonObject } from '@app/database';

export type { CycleMilestoneView } from '@app/milestones/milestones.fragment';

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

export const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** How many progress updates a cycle's view carries, the newest; the rest are a page away
 *  (`progressPage`). A cycle in delivery for years must not answer every event with all of them. */
export const RECENT_PROGRESS = 20;

/** A progress update as the views show it, from its history entry `h`. */
export const PROGRESS_ENTRY = `json_build_object('seq', h.seq, 'note', h.payload->'note',
  'readings', COALESCE(h.payload->'readings', '[]'::jsonb), 'organisationId', h.organisation_id,
  'userId', h.actor_user_id, 'at', to_char(h.at AT TIME ZONE 'UTC', ${ISO}))`;

export const CYCLE_COLUMNS = `c.id, c.partnership_id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.snapshot,
  c.machine_version, c.version, c.progress_count, c.history_hash, c.inherited_learning, c.created_by_user_id, c.created_at, c.updated_at`;

export interface CycleRow {
  id: string;
  partnership_id: string;
  title: string;
  iteration: number;
  previous_cycle_id: string | null;
  next_cycle_id: string | null;
  state: string;
  snapshot: JsonObject;
  machine_version: number;
  version: number;
  progress_count: number;
  history_hash: string;
  inherited_learning: JsonObject | null;
  created_by_user_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What every read of a cycle names of it: its title, its place among its iterations, its state and version. */
export interface CycleHeadFields {
  title: string;
  iteration: number;
  previousCycleId: string | null;
  nextCycleId: string | null;
  state: string;
  version: number;
}

/** A cycle's CycleHeadFields from snake_case. */
export const headFields = (r: Pick<CycleRow, 'title' | 'iteration' | 'previous_cycle_id' | 'next_cycle_id' | 'state' | 'version'>): CycleHeadFields => ({
  title: r.title,
  iteration: r.iteration,
  previousCycleId: r.previous_cycle_id,
  nextCycleId: r.next_cycle_id,
  state: r.state,
  version: r.version,
});

/** The columns a cycle's summary and its whole row share, from snake_case. */
export const commonFields = (r: Pick<CycleRow, 'id' | 'partnership_id' | 'title' | 'iteration' | 'previous_cycle_id' | 'next_cycle_id' | 'state' | 'version' | 'created_at' | 'updated_at'>) => ({
  id: r.id,
  partnershipId: r.partnership_id,
  ...headFields(r),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEntity = (r: CycleRow): CycleEntity => ({
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
export const STATES_REACHED = `(SELECT json_object_agg(s.to_state, s.at) FROM (
    SELECT h.to_state, to_char(min(h.at) AT TIME ZONE 'UTC', ${ISO}) AS at
    FROM cycle_history h WHERE h.cycle_id = c.id GROUP BY h.to_state) s)`;
