/** SQL pieces over the notifications' table for other features' statements (no imports, so that accounts, which notifications import, can use them too). */

/** How many unread notifications the user with id `userId` (an SQL expression) has, as an int. */
export const UNREAD_COUNT = (userId: string) => `(SELECT count(*) FROM notifications n WHERE n.user_id = ${userId} AND n.read_at IS NULL)::int`;

/**
 * An UPDATE closing the open reminders of the milestones that `settled` (an SQL relation with id
 * and cycle_id, such as a CTE) names: a milestone's reminder is done once it is.
 */
export const CLOSE_MILESTONE_REMINDERS = (settled: string) =>
  `UPDATE notifications n SET state = 'done', done_at = now()
         FROM ${settled} WHERE n.cycle_id = ${settled}.cycle_id AND n.task_key = 'milestone.' || ${settled}.id AND n.state = 'open'`;

/**
 * Retention (libs/data-protection): deletes up to `limit` notifications sent before `before` (SQL
 * expressions), read or not, and answers how many as `n`. An open task stays until it is done (it
 * is still someone's work) and one still to be emailed (pending, or waiting for a digest) until
 * it is; their delivery logs go with them (ON DELETE CASCADE).
 */
export const NOTIFICATIONS_EXPIRED = (before: string, limit: string) =>
  `WITH gone AS (DELETE FROM notifications WHERE id IN (
     SELECT n.id FROM notifications n
     WHERE n.created_at < ${before} AND n.email_status NOT IN ('pending', 'digest') AND NOT (n.state = 'open' AND n.task_key IS NOT NULL)
     LIMIT ${limit} FOR UPDATE SKIP LOCKED) RETURNING 1)
   SELECT count(*)::int AS n FROM gone`;

/** Retention: deletes up to `limit` email delivery logs written before `before` (each row is one finished attempt) and answers how many as `n`. */
export const EMAIL_DELIVERIES_EXPIRED = (before: string, limit: string) =>
  `WITH gone AS (DELETE FROM notification_deliveries WHERE id IN (
     SELECT d.id FROM notification_deliveries d WHERE d.at < ${before} LIMIT ${limit} FOR UPDATE SKIP LOCKED) RETURNING 1)
   SELECT count(*)::int AS n FROM gone`;

/** Erasure (libs/data-protection): the notifications of the user `userId` (an SQL expression) go, with their emails' delivery logs; those not yet emailed are never sent. */
export const NOTIFICATIONS_OF_ERASED = (userId: string) => `DELETE FROM notifications WHERE user_id = ${userId}`;

/**
 * A handover (libs/cycles cycle-handover.service.ts): the open milestone reminders of the user
 * `from` in the cycles `cycleIds` (they were told as a panel member or facilitator: reminders are
 * open until the milestone comes) are done for them and given to the user `to`, unless `to` has
 * that reminder open already; a new row, so that it is emailed to `to` as they chose. `at` is
 * when (SQL expressions).
 */
export const REMINDERS_HANDED_OVER = (from: string, to: string, cycleIds: string, at: string) => `
  WITH gone AS (
    UPDATE notifications SET state = 'done', done_at = ${at}
    WHERE user_id = ${from} AND cycle_id = ANY(${cycleIds}) AND state = 'open' AND task_key LIKE 'milestone.%'
    RETURNING kind, cycle_id, milestone_id, text, link, task_key, dedupe_key)
  INSERT INTO notifications (user_id, kind, cycle_id, milestone_id, text, link, task_key, dedupe_key)
  SELECT ${to}, g.kind, g.cycle_id, g.milestone_id, g.text, g.link, g.task_key, g.dedupe_key FROM gone g
  WHERE NOT EXISTS (SELECT 1 FROM notifications x WHERE x.user_id = ${to} AND x.cycle_id = g.cycle_id AND x.task_key = g.task_key AND x.state = 'open')
  ON CONFLICT (user_id, dedupe_key) DO NOTHING`;

/**
 * Erasure: the notifications telling colleagues that the user `userId` handed their work over
 * (kind `handover`, whose dedupe key starts with who handed over: libs/cycles
 * cycle-handover.service.ts) name them as `formerName` instead of `name` (SQL expressions).
 */
export const HANDOVERS_NAMING_ERASED = (userId: string, name: string, formerName: string) =>
  `UPDATE notifications SET text = replace(text, ${name}, ${formerName}) WHERE kind = 'handover' AND dedupe_key LIKE 'handover.' || ${userId} || '.%'`;

/** How many open tasks the user `userId` (an SQL expression) has, as `open`. */
export const OPEN_TASKS_OF = (userId: string) => `SELECT count(*)::int AS open FROM notifications WHERE user_id = ${userId} AND state = 'open' AND task_key IS NOT NULL`;
