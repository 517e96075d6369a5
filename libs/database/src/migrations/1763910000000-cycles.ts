import { MigrationInterface, QueryRunner } from 'typeorm';

export class Cycles1763910000000 implements MigrationInterface {
  name = 'Cycles1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "cycles" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL,
      "title" text NOT NULL,
      "iteration" integer NOT NULL,
      "previous_cycle_id" uuid,
      "next_cycle_id" uuid,
      "state" text NOT NULL,
      "snapshot" jsonb NOT NULL,
      "machine_version" integer NOT NULL,
      "version" integer NOT NULL,
      "history_hash" text NOT NULL,
      "inherited_learning" jsonb,
      "created_by_user_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "cycles_iteration_check" CHECK ("iteration" > 0),
      CONSTRAINT "cycles_version_check" CHECK ("version" > 0),
      CONSTRAINT "cycles_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "cycles_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE RESTRICT,
      CONSTRAINT "cycles_previous_fkey" FOREIGN KEY ("previous_cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT,
      CONSTRAINT "cycles_next_fkey" FOREIGN KEY ("next_cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT,
      CONSTRAINT "cycles_created_by_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id"))`);
    await q.query(`CREATE INDEX "cycles_created_idx" ON "cycles" ("created_at", "id")`);
    await q.query(`CREATE INDEX "cycles_partnership_state_idx" ON "cycles" ("partnership_id", "state")`);
    await q.query(`CREATE INDEX "cycles_partnership_created_idx" ON "cycles" ("partnership_id", "created_at", "id")`);

    await q.query(`CREATE TABLE "cycle_history" (
      "cycle_id" uuid NOT NULL,
      "seq" integer NOT NULL,
      "type" text NOT NULL,
      "actor_user_id" uuid,
      "organisation_id" uuid,
      "from_state" text,
      "to_state" text NOT NULL,
      "payload" jsonb NOT NULL,
      "at" timestamptz NOT NULL,
      "prev_hash" text NOT NULL,
      "hash" text NOT NULL,
      CONSTRAINT "cycle_history_seq_check" CHECK ("seq" > 0),
      CONSTRAINT "cycle_history_pkey" PRIMARY KEY ("cycle_id", "seq"),
      CONSTRAINT "cycle_history_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT)`);

    // The history is append-only: the database itself refuses to change or remove entries.
    await q.query(`CREATE FUNCTION "cycle_history_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'cycle_history is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "cycle_history_no_update_delete" BEFORE UPDATE OR DELETE ON "cycle_history"
      FOR EACH ROW EXECUTE FUNCTION "cycle_history_append_only"()`);
    await q.query(`CREATE TRIGGER "cycle_history_no_truncate" BEFORE TRUNCATE ON "cycle_history"
      FOR EACH STATEMENT EXECUTE FUNCTION "cycle_history_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "cycle_history"`);
    await q.query(`DROP FUNCTION "cycle_history_append_only"()`);
    await q.query(`DROP TABLE "cycles"`);
  }
}
