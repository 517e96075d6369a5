import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (issue 14): a partnership's subscriptions, and one delivery row per event and webhook,
 * written by the event's own statement (the outbox) and then delivered with retries.
 */
export class Webhooks1763996000000 implements MigrationInterface {
  name = 'Webhooks1763996000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "webhooks" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL CONSTRAINT "webhooks_partnership_fkey" REFERENCES "partnerships"("id") ON DELETE CASCADE,
      "url" text NOT NULL,
      "events" jsonb NOT NULL,
      "secret" text NOT NULL,
      "active" boolean NOT NULL DEFAULT true,
      "consecutive_failures" integer NOT NULL DEFAULT 0,
      "disabled_at" timestamptz,
      "created_by_user_id" uuid NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "webhooks_partnership_idx" ON "webhooks" ("partnership_id")`);
    await q.query(`CREATE TABLE "webhook_deliveries" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "webhook_id" uuid NOT NULL CONSTRAINT "webhook_deliveries_webhook_fkey" REFERENCES "webhooks"("id") ON DELETE CASCADE,
      "event_type" text NOT NULL,
      "cycle_id" uuid NOT NULL,
      "seq" integer NOT NULL,
      "body" jsonb NOT NULL,
      "status" text NOT NULL DEFAULT 'pending' CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivered', 'failed')),
      "attempts" integer NOT NULL DEFAULT 0,
      "last_status_code" integer,
      "last_error" text,
      "at" timestamptz NOT NULL DEFAULT now(),
      "delivered_at" timestamptz,
      CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "webhook_deliveries_webhook_idx" ON "webhook_deliveries" ("webhook_id", "at")`);
    await q.query(`CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries" ("at") WHERE "status" = 'pending'`);
    await q.query(`CREATE UNIQUE INDEX "webhook_deliveries_event_key" ON "webhook_deliveries" ("webhook_id", "cycle_id", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhooks"`);
  }
}
