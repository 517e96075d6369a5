import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partnership decisions recorded and agreed by two (issue 31): a hash-chained, append-only history of
 * the partnership's membership, archive and public page (its head on the partnership's row, as a
 * cycle's and the agreement's are), and the proposals a second commissioner member agrees to.
 */
export class PartnershipHistory1764331000000 implements MigrationInterface {
  name = 'PartnershipHistory1764331000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" ADD COLUMN "history_version" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "partnerships" ADD COLUMN "history_hash" text NOT NULL DEFAULT '${'0'.repeat(64)}'`);
    await q.query(`CREATE TABLE "partnership_history" (
      "partnership_id" uuid NOT NULL CONSTRAINT "partnership_history_partnership_fkey" REFERENCES "partnerships"("id") ON DELETE RESTRICT,
      "seq" integer NOT NULL CONSTRAINT "partnership_history_seq_check" CHECK ("seq" > 0),
      "type" text NOT NULL,
      "actor_user_id" uuid,
      "organisation_id" uuid,
      "representative" boolean NOT NULL DEFAULT false,
      "from_state" text,
      "to_state" text NOT NULL,
      "payload" jsonb NOT NULL,
      "at" timestamptz NOT NULL,
      "prev_hash" text NOT NULL,
      "hash" text NOT NULL,
      "hash_scheme" smallint NOT NULL DEFAULT 3 CONSTRAINT "partnership_history_hash_scheme_check" CHECK ("hash_scheme" IN (3)),
      CONSTRAINT "partnership_history_pkey" PRIMARY KEY ("partnership_id", "seq"))`);
    await q.query(`CREATE FUNCTION "partnership_history_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'partnership_history is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "partnership_history_no_update_delete" BEFORE UPDATE OR DELETE ON "partnership_history"
      FOR EACH ROW EXECUTE FUNCTION "partnership_history_append_only"()`);
    await q.query(`CREATE TRIGGER "partnership_history_no_truncate" BEFORE TRUNCATE ON "partnership_history"
      FOR EACH STATEMENT EXECUTE FUNCTION "partnership_history_append_only"()`);
    await q.query(`CREATE TABLE "partnership_proposals" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL,
      "action" text NOT NULL,
      "organisation_id" uuid,
      "state" text NOT NULL DEFAULT 'open',
      "proposed_by_user_id" uuid NOT NULL,
      "proposed_by_organisation_id" uuid NOT NULL,
      "proposed_at" timestamptz NOT NULL,
      "decided_by_user_id" uuid,
      "decided_by_organisation_id" uuid,
      "decided_at" timestamptz,
      CONSTRAINT "partnership_proposals_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "partnership_proposals_action_check" CHECK ("action" IN ('remove_member', 'archive', 'publish')),
      CONSTRAINT "partnership_proposals_state_check" CHECK ("state" IN ('open', 'agreed', 'withdrawn')),
      CONSTRAINT "partnership_proposals_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "partnership_proposals_one_open" ON "partnership_proposals" ("partnership_id", "action", "organisation_id") WHERE "state" = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "partnership_proposals"`);
    await q.query(`DROP TABLE "partnership_history"`);
    await q.query(`DROP FUNCTION "partnership_history_append_only"()`);
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "history_hash"`);
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "history_version"`);
  }
}
