/** SQL fragments over the partnerships feature's tables (partnerships, partnership_members, outcomes, anchors) for other features' statements, so that none of them names those tables. */

/** Whether the partnership with id `id` (an SQL expression) is archived. */
export const PARTNERSHIP_ARCHIVED = (id: string) => `(SELECT p.archived_at IS NOT NULL FROM partnerships p WHERE p.id = ${id})`;

/** The date of the anchor with id `id` (an SQL expression). */
export const ANCHOR_DATE = (id: string) => `(SELECT a.date FROM anchors a WHERE a.id = ${id})`;

/** Whether organisation `organisationId` belongs to partnership `partnershipId` (both SQL expressions; `pm` is taken). */
export const IS_MEMBER = (partnershipId: string, organisationId: string) =>
  `EXISTS (SELECT 1 FROM partnership_members pm WHERE pm.partnership_id = ${partnershipId} AND pm.organisation_id = ${organisationId})`;

/** Whether partnership `partnershipId` is archived (read-only; `p` is taken). */
export const IS_ARCHIVED = (partnershipId: string) => `EXISTS (SELECT 1 FROM partnerships p WHERE p.id = ${partnershipId} AND p.archived_at IS NOT NULL)`;

/** The partnerships an organisation belongs to (or that one of them), as rows of `partnership_id`. */
export const PARTNERSHIPS_OF = (organisationId: string, only?: string) =>
  `SELECT partnership_id FROM partnership_members WHERE organisation_id = ${organisationId}${only ? ` AND partnership_id = ${only}` : ''}`;

/** Every partnership (or that one), as rows of `partnership_id`. */
export const ALL_PARTNERSHIPS = (only?: string) => `SELECT id AS partnership_id FROM partnerships${only ? ` WHERE id = ${only}` : ''}`;

/** A text that changes whenever an organisation's memberships do: each partnership it belongs to, and when it was archived. */
export const MEMBERSHIPS_STAMP = (organisationId: string) => `(SELECT string_agg(pm.partnership_id::text || ':' || coalesce(p.archived_at::text, ''), ',' ORDER BY pm.partnership_id)
            FROM partnership_members pm JOIN partnerships p ON p.id = pm.partnership_id WHERE pm.organisation_id = ${organisationId})`;

/** How many outcomes a partnership's framework holds, and when the newest was added (together: whether it changed). */
export const OUTCOMES_COUNT = (partnershipId: string) => `(SELECT count(*) FROM outcomes WHERE partnership_id = ${partnershipId})`;
export const OUTCOMES_LATEST = (partnershipId: string) => `(SELECT max(created_at) FROM outcomes WHERE partnership_id = ${partnershipId})`;
