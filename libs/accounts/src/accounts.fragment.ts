/** SQL pieces over the accounts' tables for other features' statements, so that none of them names `organisations` or `users`. */

/** The organisation with id `id` (an SQL expression) as PostgreSQL's to_jsonb gives its row, for entityFromJson. */
export const ORGANISATION_ROW = (id: string) => `(SELECT to_jsonb(o) FROM organisations o WHERE o.id = ${id})`;

/** One column (kind or name) of the organisation with id `id` (an SQL expression). */
export const ORGANISATION_FIELD = (field: 'kind' | 'name', id: string) => `(SELECT o.${field} FROM organisations o WHERE o.id = ${id})`;

/** The organisation of the user with id `userId` (an SQL expression); null for a user of none. */
export const USER_ORGANISATION = (userId: string) => `(SELECT u.organisation_id FROM users u WHERE u.id = ${userId})`;

/** Retention (libs/data-protection): deletes up to `limit` web sessions that expired before `before` (SQL expressions) and answers how many as `n`. */
export const WEB_SESSIONS_EXPIRED = (before: string, limit: string) =>
  `WITH gone AS (DELETE FROM web_sessions WHERE token_hash IN (
     SELECT s.token_hash FROM web_sessions s WHERE s.expires_at < ${before} LIMIT ${limit} FOR UPDATE SKIP LOCKED) RETURNING 1)
   SELECT count(*)::int AS n FROM gone`;
