/**
 * Where task notifications come from and how they close, as SQL for other features' writes (no
 * imports, so that libs/cycles and libs/milestones can use it without the notifications module).
 * The cycle write embeds them in its statement, so they commit atomically with the history entry.
 */

/** Task notifications given as JSON (a parameter such as `$3`), yielded as `n`. */
export const TASK_NOTES = (param: string) => `jsonb_to_recordset(${param}::jsonb) AS n(user_id uuid, kind text, cycle_id uuid, text text, link text, task_key text, dedupe_key text)`;

/** Closed tasks given as JSON (a parameter such as `$4`), yielded as `d`. */
export const CLOSED_TASKS = (param: string) => `jsonb_to_recordset(${param}::jsonb) AS d(cycle_id uuid, task_key text, at timestamptz)`;

/** One notification per task and person (`source` yields them as `n`); one already there for the same person and dedupe key is kept. */
export const TASK_NOTIFICATIONS = (source: string) => `
    INSERT INTO notifications (user_id, kind, cycle_id, text, link, task_key, dedupe_key)
    SELECT n.user_id, n.kind, n.cycle_id, n.text, n.link, n.task_key, n.dedupe_key
    FROM ${source}
    ON CONFLICT (user_id, dedupe_key) DO NOTHING`;

/** The open notifications of tasks no longer waiting marked done, for everyone told of them (`source` yields `d(cycle_id, task_key, at)`). */
export const TASKS_DONE = (source: string) => `
    UPDATE notifications x SET state = 'done', done_at = d.at
    FROM ${source}
    WHERE x.cycle_id = d.cycle_id AND x.task_key = d.task_key AND x.state = 'open'`;
