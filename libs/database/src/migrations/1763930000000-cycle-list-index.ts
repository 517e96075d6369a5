import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lists read each partnership's newest cycles through (partnership_id, created_at, id); a global
 *  created_at index only tempted the planner into scanning every other partnership's cycles. */
export class CycleListIndex1763930000000 implements MigrationInterface {
  name = 'CycleListIndex1763930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "cycles_created_idx"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "cycles_created_idx" ON "cycles" ("created_at", "id")`);
  }
}
