/** SQL fragments over the milestones feature's table, for other features' statements (a cycle's view and exports) to read it through. */

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** A milestone of a cycle as the cycle's view shows it. */
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

/** A cycle's milestones as its view shows them (CycleMilestoneView), soonest first (`m` is the milestones' alias: name the cycle otherwise). */
export const MILESTONES_OF = (cycleId: string) => `COALESCE((SELECT json_agg(json_build_object(
        'id', m.id, 'cycleId', m.cycle_id, 'kind', m.kind, 'dueAt', to_char(m.due_at AT TIME ZONE 'UTC', ${ISO}),
        'status', m.status, 'anchorId', m.anchor_id, 'offsetDays', m.offset_days,
        'offsetWorkingDays', m.offset_working_days, 'changes', m.changes) ORDER BY m.due_at, m.id)
      FROM milestones m WHERE m.cycle_id = ${cycleId}), '[]')`;

/** A cycle's milestones as exports show them (id, kind, due and status), soonest first (`m` is taken). */
export const MILESTONE_SUMMARIES_OF = (cycleId: string) => `COALESCE((SELECT json_agg(json_build_object(
        'id', m.id, 'kind', m.kind, 'dueAt', to_char(m.due_at AT TIME ZONE 'UTC', ${ISO}), 'status', m.status) ORDER BY m.due_at, m.id)
      FROM milestones m WHERE m.cycle_id = ${cycleId}), '[]')`;
