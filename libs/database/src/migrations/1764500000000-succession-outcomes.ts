import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reorganisation (issue 35): a succession changed before its date gets a new revision (its job's
 * id names it, so the old date's job finds itself stale), and records, partnership by partnership,
 * whether it was carried out there or what the cycles' rules refused on the date. A succession
 * refused somewhere is `held`: done where the rules held, waiting for an admin to resume it.
 */
export class SuccessionOutcomes1764500000000 implements MigrationInterface {
  name = 'SuccessionOutcomes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "organisation_successions"
      ADD COLUMN "revision" integer NOT NULL DEFAULT 1,
      ADD COLUMN "outcomes" jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`ALTER TABLE "organisation_successions" DROP CONSTRAINT "organisation_successions_state_check"`);
    await q.query(`ALTER TABLE "organisation_successions" ADD CONSTRAINT "organisation_successions_state_check" CHECK ("state" IN ('scheduled', 'held', 'cancelled', 'done'))`);
    await q.query(`ALTER TABLE "organisation_successions" ADD CONSTRAINT "organisation_successions_outcomes_check" CHECK (jsonb_typeof("outcomes") = 'object')`);
    // One succession waits per organisation at a time, scheduled or held.
    await q.query(`DROP INDEX "organisation_successions_one_scheduled"`);
    await q.query(`CREATE UNIQUE INDEX "organisation_successions_one_pending" ON "organisation_successions" ("predecessor_organisation_id") WHERE "state" IN ('scheduled', 'held')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "organisation_successions_one_pending"`);
    await q.query(`UPDATE "organisation_successions" SET "state" = 'scheduled' WHERE "state" = 'held'`);
    await q.query(`CREATE UNIQUE INDEX "organisation_successions_one_scheduled" ON "organisation_successions" ("predecessor_organisation_id") WHERE "state" = 'scheduled'`);
    await q.query(`ALTER TABLE "organisation_successions" DROP CONSTRAINT "organisation_successions_outcomes_check"`);
    await q.query(`ALTER TABLE "organisation_successions" DROP CONSTRAINT "organisation_successions_state_check"`);
    await q.query(`ALTER TABLE "organisation_successions" ADD CONSTRAINT "organisation_successions_state_check" CHECK ("state" IN ('scheduled', 'cancelled', 'done'))`);
    await q.query(`ALTER TABLE "organisation_successions" DROP COLUMN "outcomes", DROP COLUMN "revision"`);
  }
}
