import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far each cycle's history chain has been verified (issue 18): `verify` goes on from the
 * checkpoint instead of hashing years of history again; full verifications run in the background.
 */
export class HistoryCheckpoints1763999000000 implements MigrationInterface {
  name = 'HistoryCheckpoints1763999000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "history_checkpoints" (
      "cycle_id" uuid NOT NULL CONSTRAINT "history_checkpoints_cycle_fkey" REFERENCES "cycles"("id") ON DELETE CASCADE,
      "seq" integer NOT NULL,
      "hash" text NOT NULL,
      "checked_at" timestamptz NOT NULL,
      "full_checked_at" timestamptz,
      "broken_at_seq" integer,
      "broken_reason" text,
      CONSTRAINT "history_checkpoints_pkey" PRIMARY KEY ("cycle_id"))`);
    await q.query(`CREATE INDEX "history_checkpoints_full_idx" ON "history_checkpoints" ("full_checked_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "history_checkpoints"`);
  }
}
