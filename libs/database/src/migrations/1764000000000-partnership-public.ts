import { MigrationInterface, QueryRunner } from 'typeorm';

/** A partnership may publish a public page (issue 17): off until a commissioner member turns it on. */
export class PartnershipPublic1764000000000 implements MigrationInterface {
  name = 'PartnershipPublic1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" ADD COLUMN "public" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "public"`);
  }
}
