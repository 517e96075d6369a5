import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each history entry says how its hash was computed, so that a change of canonical form never
 * breaks an existing chain: entries written so far keep scheme 1 (the project's own sorted-key
 * JSON), new entries get scheme 2 (RFC 8785 JSON Canonicalization, the `canonicalize` package).
 * Adding the column rewrites no row, so the append-only triggers are not involved.
 */
export class HashScheme1763970000000 implements MigrationInterface {
  name = 'HashScheme1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cycle_history" ADD COLUMN "hash_scheme" smallint NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE "cycle_history" ALTER COLUMN "hash_scheme" SET DEFAULT 2`);
    await q.query(`ALTER TABLE "cycle_history" ADD CONSTRAINT "cycle_history_hash_scheme_check" CHECK ("hash_scheme" IN (1, 2))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cycle_history" DROP COLUMN "hash_scheme"`);
  }
}
