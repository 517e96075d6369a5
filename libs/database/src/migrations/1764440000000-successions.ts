import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reorganisation (issue 35): an organisation succeeded by one or more others on a vesting date.
 * A succession is scheduled, then cancelled or carried out (once, by the worker's job at
 * `effective_at`); a carried-out one leaves its predecessor dissolved, naming its successors.
 */
export class Successions1764440000000 implements MigrationInterface {
  name = 'Successions1764440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "organisations"
      ADD COLUMN "dissolved_at" timestamptz,
      ADD COLUMN "successor_organisation_ids" uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE TABLE "organisation_successions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "predecessor_organisation_id" uuid NOT NULL,
      "effective_at" timestamptz NOT NULL,
      "state" text NOT NULL DEFAULT 'scheduled',
      "successors" jsonb NOT NULL,
      "created_by_user_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "cancelled_at" timestamptz,
      "carried_out_at" timestamptz,
      CONSTRAINT "organisation_successions_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "organisation_successions_state_check" CHECK ("state" IN ('scheduled', 'cancelled', 'done')),
      CONSTRAINT "organisation_successions_successors_check" CHECK (jsonb_typeof("successors") = 'array' AND jsonb_array_length("successors") >= 1),
      CONSTRAINT "organisation_successions_predecessor_fkey" FOREIGN KEY ("predecessor_organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE,
      CONSTRAINT "organisation_successions_created_by_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    // One succession waits per organisation at a time; the due ones are what the reconciler reads.
    await q.query(`CREATE UNIQUE INDEX "organisation_successions_one_scheduled" ON "organisation_successions" ("predecessor_organisation_id") WHERE "state" = 'scheduled'`);
    await q.query(`CREATE INDEX "organisation_successions_due" ON "organisation_successions" ("effective_at") WHERE "state" = 'scheduled'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "organisation_successions"`);
    await q.query(`ALTER TABLE "organisations" DROP COLUMN "successor_organisation_ids", DROP COLUMN "dissolved_at"`);
  }
}
