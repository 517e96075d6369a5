import { MigrationInterface, QueryRunner } from 'typeorm';

/** A cycle's view reads its newest progress updates and counts them: a partial index holds just
 *  those history entries, so neither read walks the rest of the history. */
export class ProgressIndex1763950000000 implements MigrationInterface {
  name = 'ProgressIndex1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "cycle_history_progress_idx" ON "cycle_history" ("cycle_id", "seq") WHERE "type" = 'RECORD_PROGRESS'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "cycle_history_progress_idx"`);
  }
}
