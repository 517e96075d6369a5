import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention policy (issue 34 part 4): how many days each kind of record is kept, seeded with
 * the defaults (docs/data-protection.md); the worker's daily job applies it, an admin edits it.
 */
export class Retention1764410000000 implements MigrationInterface {
  name = 'Retention1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "retention_rules" (
      "record" text NOT NULL,
      "keep_days" integer NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "updated_by_user_id" uuid,
      CONSTRAINT "retention_rules_pkey" PRIMARY KEY ("record"),
      CONSTRAINT "retention_rules_keep_days_check" CHECK ("keep_days" >= 0 AND "keep_days" <= 36500),
      CONSTRAINT "retention_rules_updated_by_fkey" FOREIGN KEY ("updated_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await q.query(`INSERT INTO "retention_rules" ("record", "keep_days") VALUES
      ('notifications', 365), ('emailDeliveries', 90), ('webhookDeliveries', 90), ('webSessions', 0), ('invitations', 30), ('closedCyclePersonalData', 2190)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "retention_rules"`);
  }
}
