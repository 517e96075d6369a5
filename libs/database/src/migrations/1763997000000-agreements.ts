import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partnership's agreement (issue 16): one per partnership, its machine's snapshot with a
 * version for compare-and-set, and an append-only, hash-chained history like a cycle's. Existing
 * partnerships get theirs when it is first read: their destination and principles become
 * version 1, in drafting.
 */
export class Agreements1763997000000 implements MigrationInterface {
  name = 'Agreements1763997000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "agreements" (
      "partnership_id" uuid NOT NULL CONSTRAINT "agreements_partnership_fkey" REFERENCES "partnerships"("id") ON DELETE CASCADE,
      "state" text NOT NULL,
      "snapshot" jsonb NOT NULL,
      "version" integer NOT NULL,
      "history_hash" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "agreements_pkey" PRIMARY KEY ("partnership_id"))`);
    await q.query(`CREATE TABLE "agreement_history" (
      "partnership_id" uuid NOT NULL CONSTRAINT "agreement_history_agreement_fkey" REFERENCES "agreements"("partnership_id") ON DELETE RESTRICT,
      "seq" integer NOT NULL CONSTRAINT "agreement_history_seq_check" CHECK ("seq" > 0),
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
      "hash_scheme" smallint NOT NULL DEFAULT 3 CONSTRAINT "agreement_history_hash_scheme_check" CHECK ("hash_scheme" IN (3)),
      CONSTRAINT "agreement_history_pkey" PRIMARY KEY ("partnership_id", "seq"))`);
    await q.query(`CREATE FUNCTION "agreement_history_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'agreement_history is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "agreement_history_no_update_delete" BEFORE UPDATE OR DELETE ON "agreement_history"
      FOR EACH ROW EXECUTE FUNCTION "agreement_history_append_only"()`);
    await q.query(`CREATE TRIGGER "agreement_history_no_truncate" BEFORE TRUNCATE ON "agreement_history"
      FOR EACH STATEMENT EXECUTE FUNCTION "agreement_history_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agreement_history"`);
    await q.query(`DROP FUNCTION "agreement_history_append_only"()`);
    await q.query(`DROP TABLE "agreements"`);
  }
}
