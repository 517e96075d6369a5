import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People are told when it is their turn (issue 14): a notification may be a task (open until
 * anyone entitled does the work, then done) with a link to where it is done; each one carries its
 * email state, so the notifications table is also the outbox of the emails it causes. Earlier
 * notifications are not emailed now.
 */
export class TaskNotifications1763995000000 implements MigrationInterface {
  name = 'TaskNotifications1763995000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "notifications" ADD COLUMN "link" text`);
    await q.query(`ALTER TABLE "notifications" ADD COLUMN "task_key" text`);
    await q.query(`ALTER TABLE "notifications" ADD COLUMN "state" text NOT NULL DEFAULT 'open'`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "notifications_state_check" CHECK ("state" IN ('open', 'done'))`);
    await q.query(`ALTER TABLE "notifications" ADD COLUMN "done_at" timestamptz`);
    await q.query(`ALTER TABLE "notifications" ADD COLUMN "email_status" text NOT NULL DEFAULT 'skipped'`);
    await q.query(`ALTER TABLE "notifications" ALTER COLUMN "email_status" SET DEFAULT 'pending'`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "notifications_email_status_check" CHECK ("email_status" IN ('pending', 'digest', 'sent', 'skipped', 'failed'))`);
    await q.query(`CREATE INDEX "notifications_open_task_idx" ON "notifications" ("cycle_id", "task_key") WHERE "state" = 'open' AND "task_key" IS NOT NULL`);
    await q.query(`CREATE INDEX "notifications_email_pending_idx" ON "notifications" ("created_at") WHERE "email_status" IN ('pending', 'digest')`);
    await q.query(`CREATE TABLE "notification_deliveries" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "notification_id" uuid NOT NULL CONSTRAINT "notification_deliveries_notification_fkey" REFERENCES "notifications"("id") ON DELETE CASCADE,
      "channel" text NOT NULL CONSTRAINT "notification_deliveries_channel_check" CHECK ("channel" IN ('email', 'digest')),
      "status" text NOT NULL CONSTRAINT "notification_deliveries_status_check" CHECK ("status" IN ('sent', 'refused', 'failed', 'skipped')),
      "attempt" integer NOT NULL,
      "detail" text,
      "at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "notification_deliveries_notification_idx" ON "notification_deliveries" ("notification_id", "at")`);
    await q.query(`ALTER TABLE "users" ADD COLUMN "email_preference" text NOT NULL DEFAULT 'immediate'`);
    await q.query(`ALTER TABLE "users" ADD CONSTRAINT "users_email_preference_check" CHECK ("email_preference" IN ('immediate', 'daily', 'off'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" DROP COLUMN "email_preference"`);
    await q.query(`DROP TABLE "notification_deliveries"`);
    await q.query(`DROP INDEX "notifications_email_pending_idx"`);
    await q.query(`DROP INDEX "notifications_open_task_idx"`);
    for (const column of ['email_status', 'done_at', 'state', 'task_key', 'link']) await q.query(`ALTER TABLE "notifications" DROP COLUMN "${column}"`);
  }
}
