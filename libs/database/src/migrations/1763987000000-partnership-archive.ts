import { MigrationInterface, QueryRunner } from 'typeorm';

/** A partnership can be archived (issue 13): read-only from then on, its milestones cancelled. */
export class PartnershipArchive1763987000000 implements MigrationInterface {
  name = 'PartnershipArchive1763987000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" ADD COLUMN "archived_at" timestamptz`);
    await q.query(`ALTER TABLE "partnerships" ADD COLUMN "archived_by_user_id" uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "archived_by_user_id"`);
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "archived_at"`);
  }
}
