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
