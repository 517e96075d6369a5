import { MigrationInterface, QueryRunner } from 'typeorm';

export class Milestones1763920000000 implements MigrationInterface {
  name = 'Milestones1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "partnerships" ADD "reminder_days" jsonb NOT NULL DEFAULT '[7, 1]'`);
    await q.query(`ALTER TABLE "users" ADD "calendar_token_hash" text`);
    await q.query(`CREATE UNIQUE INDEX "users_calendar_token_key" ON "users" ("calendar_token_hash") WHERE "calendar_token_hash" IS NOT NULL`);

    await q.query(`CREATE TABLE "milestones" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "cycle_id" uuid NOT NULL,
      "partnership_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "due_at" timestamptz NOT NULL,
      "anchor_id" uuid,
      "offset_days" integer,
      "offset_working_days" integer,
      "status" text NOT NULL DEFAULT 'scheduled',
      "revision" integer NOT NULL DEFAULT 1,
      "changes" jsonb NOT NULL DEFAULT '[]',
      "created_by_user_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "milestones_kind_check" CHECK ("kind" IN ('framingDue', 'optionsClose', 'decisionDue', 'reviewStart', 'reviewDue')),
      CONSTRAINT "milestones_status_check" CHECK ("status" IN ('scheduled', 'fired', 'moot', 'cancelled')),
      CONSTRAINT "milestones_alignment_check" CHECK (("anchor_id" IS NULL AND "offset_days" IS NULL AND "offset_working_days" IS NULL) OR ("anchor_id" IS NOT NULL AND (("offset_days" IS NULL) <> ("offset_working_days" IS NULL)))),
      CONSTRAINT "milestones_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "milestones_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT,
      CONSTRAINT "milestones_anchor_fkey" FOREIGN KEY ("anchor_id") REFERENCES "anchors"("id") ON DELETE RESTRICT,
      CONSTRAINT "milestones_created_by_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id"))`);
    await q.query(`CREATE INDEX "milestones_cycle_idx" ON "milestones" ("cycle_id")`);
    await q.query(`CREATE INDEX "milestones_status_due_idx" ON "milestones" ("status", "due_at")`);
    await q.query(`CREATE INDEX "milestones_anchor_idx" ON "milestones" ("anchor_id")`);
    await q.query(`CREATE INDEX "milestones_partnership_idx" ON "milestones" ("partnership_id")`);

    await q.query(`CREATE TABLE "outbox" (
      "id" BIGSERIAL NOT NULL,
      "topic" text NOT NULL,
      "payload" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "outbox_pkey" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "notifications" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "cycle_id" uuid,
      "milestone_id" uuid,
      "text" text NOT NULL,
      "dedupe_key" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "read_at" timestamptz,
      CONSTRAINT "notifications_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "notifications_user_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "notifications_user_created_idx" ON "notifications" ("user_id", "created_at", "id")`);
    await q.query(`CREATE UNIQUE INDEX "notifications_dedupe_key" ON "notifications" ("user_id", "dedupe_key")`);

    await q.query(`CREATE TABLE "incidents" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "cycle_id" uuid NOT NULL,
      "milestone_id" uuid NOT NULL,
      "error" text NOT NULL,
      "attempts" integer NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "retried_at" timestamptz,
      "retried_by_user_id" uuid,
      CONSTRAINT "incidents_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "incidents_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT,
      CONSTRAINT "incidents_milestone_fkey" FOREIGN KEY ("milestone_id") REFERENCES "milestones"("id") ON DELETE RESTRICT)`);
    await q.query(`CREATE INDEX "incidents_cycle_idx" ON "incidents" ("cycle_id")`);
    await q.query(`CREATE INDEX "incidents_milestone_idx" ON "incidents" ("milestone_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['incidents', 'notifications', 'outbox', 'milestones']) await q.query(`DROP TABLE "${table}"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "calendar_token_hash"`);
    await q.query(`ALTER TABLE "partnerships" DROP COLUMN "reminder_days"`);
  }
}
