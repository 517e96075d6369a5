import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People and organisations change (issue 13): a user can be deactivated, can lead their
 * organisation (manage its users) and can be one of its representatives (who commit it); every
 * token and web session carries the user's session generation, which deactivation and password
 * changes move on. Independent mediation services become an organisation kind.
 */
export class AccountLife1763985000000 implements MigrationInterface {
  name = 'AccountLife1763985000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD COLUMN "active" boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE "users" ADD COLUMN "representative" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "users" ADD COLUMN "session_generation" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "web_sessions" ADD COLUMN "generation" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_role_check"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member', 'lead'))`);
    await q.query(`ALTER TABLE "organisations" DROP CONSTRAINT "organisations_kind_check"`);
    await q.query(`ALTER TABLE "organisations" ADD CONSTRAINT "organisations_kind_check" CHECK ("kind" IN ('commissioner', 'provider', 'community', 'facilitator'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "organisations" DROP CONSTRAINT "organisations_kind_check"`);
    await q.query(`ALTER TABLE "organisations" ADD CONSTRAINT "organisations_kind_check" CHECK ("kind" IN ('commissioner', 'provider', 'community'))`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "users_role_check"`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member'))`);
    await q.query(`ALTER TABLE "web_sessions" DROP COLUMN "generation"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "session_generation"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "representative"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "active"`);
  }
}
