import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security review, issue 31: the platform admin created with the development default password
 * must change it at first sign-in (`must_change_password`); a deactivation or role change made by
 * a platform admin is recorded as theirs (`active_set_by_admin`, `role_set_by_admin`), and only an
 * admin undoes it. Existing rows get false: nothing done before is claimed for an admin.
 */
export class AccountGuards1764320000000 implements MigrationInterface {
  name = 'AccountGuards1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD COLUMN "must_change_password" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "users" ADD COLUMN "active_set_by_admin" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "users" ADD COLUMN "role_set_by_admin" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "role_set_by_admin"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "active_set_by_admin"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "must_change_password"`);
  }
}
