import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations of guests to a cycle (issue 33): a commissioner asks a person without an account to
 * sit on the panel or give their view. Only the link's SHA-256 is kept; a cycle's invitations go with it.
 */
export class CycleInvitations1764400000000 implements MigrationInterface {
  name = 'CycleInvitations1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "cycle_invitations" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "cycle_id" uuid NOT NULL,
      "email" text NOT NULL,
      "name" text NOT NULL,
      "role" text NOT NULL,
      "token_hash" text NOT NULL,
      "invited_by_user_id" uuid,
      "expires_at" timestamptz NOT NULL,
      "used_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "cycle_invitations_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "cycle_invitations_role_check" CHECK ("role" IN ('panel', 'voice')),
      CONSTRAINT "cycle_invitations_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE,
      CONSTRAINT "cycle_invitations_inviter_fkey" FOREIGN KEY ("invited_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await q.query(`CREATE UNIQUE INDEX "cycle_invitations_hash_key" ON "cycle_invitations" ("token_hash")`);
    await q.query(`CREATE INDEX "cycle_invitations_cycle_idx" ON "cycle_invitations" ("cycle_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "cycle_invitations"`);
  }
}
