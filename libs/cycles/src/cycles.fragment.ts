/** SQL pieces over the cycles' table for other features' statements (no imports), so that none of them names `cycles`. */

/** The cycles `ids` (an SQL query of one uuid column) lists, as (id, version), each held FOR SHARE in id order: one that moves meanwhile waits. */
export const CYCLES_HELD = (ids: string) => `SELECT c.id, c.version FROM cycles c WHERE c.id IN (${ids}) ORDER BY c.id FOR SHARE`;

/**
 * Up to `limit` (an SQL expression) ids of the cycles `source` (an SQL relation with cycle_id and
 * `first`, the order to take them in) names, each locked FOR UPDATE, skipping those another worker holds.
 */
export const CYCLES_CLAIMED = (source: string, limit: string) =>
  `SELECT c.id FROM cycles c JOIN ${source} ON ${source}.cycle_id = c.id ORDER BY ${source}.first, c.id LIMIT ${limit} FOR UPDATE OF c SKIP LOCKED`;

/** The cycle with id `id` (an SQL expression) as PostgreSQL's to_jsonb gives its row, for entityFromJson. */
export const CYCLE_ROW = (id: string) => `(SELECT to_jsonb(c) FROM cycles c WHERE c.id = ${id})`;

/** One column (title or state) of the cycle with id `id` (an SQL expression). */
export const CYCLE_FIELD = (field: 'title' | 'state', id: string) => `(SELECT c.${field} FROM cycles c WHERE c.id = ${id})`;

/**
 * Retention (libs/data-protection): deletes up to `limit` cycle invitations that expired before
 * `before` (SQL expressions) without being followed, and answers how many as `n`. A followed one
 * stays: it is what lets its guest see the cycle (cycle-views.repository.ts).
 */
export const CYCLE_INVITATIONS_EXPIRED = (before: string, limit: string) =>
  `WITH gone AS (DELETE FROM cycle_invitations WHERE id IN (
     SELECT i.id FROM cycle_invitations i WHERE i.expires_at < ${before} AND i.guest_user_id IS NULL LIMIT ${limit} FOR UPDATE SKIP LOCKED) RETURNING 1)
   SELECT count(*)::int AS n FROM gone`;

/**
 * Erasure (libs/data-protection): the invitations a guest `userId` followed, or sent to `email`
 * (SQL expressions), no longer name them: "Former guest", an address that names nobody.
 */
export const CYCLE_INVITATIONS_OF_ERASED = (userId: string, email: string) =>
  `UPDATE cycle_invitations SET name = 'Former guest', email = 'erased-' || id || '@erased.invalid' WHERE guest_user_id = ${userId} OR email = ${email}`;

/** The cycles guest `userId` (an SQL expression) followed an invitation to, as rows of `cycle_id`: all a guest sees. */
export const CYCLES_OF_GUEST = (userId: string) => `SELECT i.cycle_id FROM cycle_invitations i WHERE i.guest_user_id = ${userId}`;
