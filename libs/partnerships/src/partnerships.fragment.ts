/** SQL pieces over the partnerships' tables for other features' statements, so that none of them names `partnerships` or `anchors`. */

/** Whether the partnership with id `id` (an SQL expression) is archived. */
export const PARTNERSHIP_ARCHIVED = (id: string) => `(SELECT p.archived_at IS NOT NULL FROM partnerships p WHERE p.id = ${id})`;

/** The date of the anchor with id `id` (an SQL expression). */
export const ANCHOR_DATE = (id: string) => `(SELECT a.date FROM anchors a WHERE a.id = ${id})`;

