import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A platform admin's list of every cycle reads the newest of all through (created_at, id) (issue
 * 38): merging each partnership's newest read 21 rows of every partnership for a page of 21. The
 * members' lists keep reading each of their partnerships through (partnership_id, created_at, id),
 * whose equality and order the planner prefers to this index.
 */
export class AdminCycleList1764490000000 implements MigrationInterface {
  name = 'AdminCycleList1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "cycles_created_idx" ON "cycles" ("created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "cycles_created_idx"`);
  }
}
