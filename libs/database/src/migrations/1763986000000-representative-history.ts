import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every history entry records whether its actor was one of their organisation's representatives
 * (issue 13). The flag is part of what is hashed from scheme 3 on; entries hashed under schemes
 * 1 and 2 keep verifying without it (their rows get `false`, which those schemes leave out).
 * Adding a column with a default rewrites no row, so the append-only triggers are not involved.
 */
export class RepresentativeHistory1763986000000 implements MigrationInterface {
  name = 'RepresentativeHistory1763986000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cycle_history" ADD COLUMN "representative" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "cycle_history" DROP CONSTRAINT "cycle_history_hash_scheme_check"`);
    await q.query(`ALTER TABLE "cycle_history" ADD CONSTRAINT "cycle_history_hash_scheme_check" CHECK ("hash_scheme" IN (1, 2, 3))`);
    await q.query(`ALTER TABLE "cycle_history" ALTER COLUMN "hash_scheme" SET DEFAULT 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cycle_history" ALTER COLUMN "hash_scheme" SET DEFAULT 2`);
    await q.query(`ALTER TABLE "cycle_history" DROP CONSTRAINT "cycle_history_hash_scheme_check"`);
    await q.query(`ALTER TABLE "cycle_history" ADD CONSTRAINT "cycle_history_hash_scheme_check" CHECK ("hash_scheme" IN (1, 2))`);
    await q.query(`ALTER TABLE "cycle_history" DROP COLUMN "representative"`);
  }
}
