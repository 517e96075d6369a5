import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guests (issue 33): a person who followed an invitation is a user of no organisation with the
 * role `guest`, who sees only the cycles of the invitations they followed (each noted on it).
 */
export class CycleGuests1764401000000 implements MigrationInterface {
  name = 'CycleGuests1764401000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_role_check"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member', 'lead', 'guest'))`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_member_has_organisation"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_member_has_organisation" CHECK ("role" IN ('admin', 'guest') OR "organisation_id" IS NOT NULL)`);
    await q.query(`ALTER TABLE "cycle_invitations" ADD "guest_user_id" uuid`);
    await q.query(`ALTER TABLE "cycle_invitations" ADD CONSTRAINT "cycle_invitations_guest_fkey" FOREIGN KEY ("guest_user_id") REFERENCES "users"("id") ON DELETE SET NULL`);
    await q.query(`CREATE INDEX "cycle_invitations_guest_idx" ON "cycle_invitations" ("guest_user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "cycle_invitations_guest_idx"`);
    await q.query(`ALTER TABLE "cycle_invitations" DROP COLUMN "guest_user_id"`);
    await q.query(`DELETE FROM "users" WHERE "role" = 'guest'`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_member_has_organisation"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_member_has_organisation" CHECK ("role" = 'admin' OR "organisation_id" IS NOT NULL)`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_role_check"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member', 'lead'))`);
  }
}
