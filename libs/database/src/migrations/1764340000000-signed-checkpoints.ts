import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The histories' heads signed outside the database (issue 31): history_checkpoints says how far
 * each chain was verified, but anyone who owns the tables can rewrite a chain and its checkpoint
 * alike. Each day the worker signs, with an Ed25519 key the database never holds, every chain's
 * head that changed (`signed_heads`, one per chain and seq) and a statement of the day naming the
 * digest of all heads (`signed_checkpoints`). Both are append-only, as the histories are.
 */
export class SignedCheckpoints1764340000000 implements MigrationInterface {
  name = 'SignedCheckpoints1764340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "signed_checkpoints" (
      "day" date NOT NULL,
      "signed_at" timestamptz NOT NULL,
      "key_id" text NOT NULL,
      "public_key" text NOT NULL,
      "chains" integer NOT NULL,
      "digest" text NOT NULL,
      "statement" text NOT NULL,
      "signature" text NOT NULL,
      CONSTRAINT "signed_checkpoints_pkey" PRIMARY KEY ("day"))`);
    await q.query(`CREATE TABLE "signed_heads" (
      "kind" text NOT NULL CONSTRAINT "signed_heads_kind_check" CHECK ("kind" IN ('cycle', 'agreement')),
      "chain_id" uuid NOT NULL,
      "seq" integer NOT NULL,
      "hash" text NOT NULL,
      "day" date NOT NULL,
      "key_id" text NOT NULL,
      "statement" text NOT NULL,
      "signature" text NOT NULL,
      CONSTRAINT "signed_heads_pkey" PRIMARY KEY ("kind", "chain_id", "seq"))`);
    await q.query(`CREATE FUNCTION "signed_checkpoints_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['signed_checkpoints', 'signed_heads']) {
      await q.query(`CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "signed_checkpoints_append_only"()`);
      await q.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "signed_checkpoints_append_only"()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "signed_heads"`);
    await q.query(`DROP TABLE "signed_checkpoints"`);
    await q.query(`DROP FUNCTION "signed_checkpoints_append_only"()`);
  }
}
