import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A calendar token lasts a year from when it was issued (issue 13): each user's token records
 * when. Tokens issued before this migration count from now, so nobody's subscription stops at
 * once; one can be revoked at any time (both columns set to null).
 */
export class CalendarTokenIssued1763990000000 implements MigrationInterface {
  name = 'CalendarTokenIssued1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD COLUMN "calendar_token_issued_at" timestamptz`);
    await q.query(`UPDATE "users" SET "calendar_token_issued_at" = now() WHERE "calendar_token_hash" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "calendar_token_issued_at"`);
  }
}
