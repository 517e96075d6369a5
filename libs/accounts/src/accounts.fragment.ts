/** SQL pieces over the accounts' tables for other features' statements, so that none of them names `organisations` or `users`. */

/** The organisation with id `id` (an SQL expression) as PostgreSQL's to_jsonb gives its row, for entityFromJson. */
export const ORGANISATION_ROW = (id: string) => `(SELECT to_jsonb(o) FROM organisations o WHERE o.id = ${id})`;

/** One column (kind or name) of the organisation with id `id` (an SQL expression). */
export const ORGANISATION_FIELD = (field: 'kind' | 'name', id: string) => `(SELECT o.${field} FROM organisations o WHERE o.id = ${id})`;

/** The organisation of the user with id `userId` (an SQL expression); null for a user of none. */
export const USER_ORGANISATION = (userId: string) => `(SELECT u.organisation_id FROM users u WHERE u.id = ${userId})`;
