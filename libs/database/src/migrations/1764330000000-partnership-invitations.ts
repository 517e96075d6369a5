import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Membership by consent (issue 31): an organisation named for a partnership is invited, and joins
 * only when one of its leads (or a platform admin) accepts. One row per partnership and organisation:
 * the latest invitation (a declined one may be sent again).
 */
export class PartnershipInvitations1764330000000 implements MigrationInterface {
  name = 'PartnershipInvitations1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "partnership_invitations" (
      "partnership_id" uuid NOT NULL,
      "organisation_id" uuid NOT NULL,
      "state" text NOT NULL DEFAULT 'pending',
      "invited_by_user_id" uuid NOT NULL,
      "invited_at" timestamptz NOT NULL,
      "decided_by_user_id" uuid,
      "decided_at" timestamptz,
      CONSTRAINT "partnership_invitations_pkey" PRIMARY KEY ("partnership_id", "organisation_id"),
      CONSTRAINT "partnership_invitations_state_check" CHECK ("state" IN ('pending', 'accepted', 'declined')),
      CONSTRAINT "partnership_invitations_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE CASCADE,
      CONSTRAINT "partnership_invitations_organisation_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT,
      CONSTRAINT "partnership_invitations_invited_by_fkey" FOREIGN KEY ("invited_by_user_id") REFERENCES "users"("id") ON DELETE NO ACTION,
      CONSTRAINT "partnership_invitations_decided_by_fkey" FOREIGN KEY ("decided_by_user_id") REFERENCES "users"("id") ON DELETE NO ACTION)`);
    await q.query(`CREATE INDEX "partnership_invitations_pending_idx" ON "partnership_invitations" ("organisation_id") WHERE "state" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "partnership_invitations"`);
  }
}
