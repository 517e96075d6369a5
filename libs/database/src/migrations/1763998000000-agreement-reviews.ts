import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The agreement's review date (issue 16): aligned to an anchor of the partnership, at most one
 * scheduled per partnership; when it comes, an agreed agreement moves to reviewing.
 */
export class AgreementReviews1763998000000 implements MigrationInterface {
  name = 'AgreementReviews1763998000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "agreement_reviews" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL CONSTRAINT "agreement_reviews_agreement_fkey" REFERENCES "agreements"("partnership_id") ON DELETE CASCADE,
      "anchor_id" uuid NOT NULL CONSTRAINT "agreement_reviews_anchor_fkey" REFERENCES "anchors"("id") ON DELETE RESTRICT,
      "offset_days" integer,
      "offset_working_days" integer,
      "status" text NOT NULL DEFAULT 'scheduled' CONSTRAINT "agreement_reviews_status_check" CHECK ("status" IN ('scheduled', 'fired', 'moot', 'cancelled')),
      "changes" jsonb NOT NULL DEFAULT '[]',
      "created_by_user_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "agreement_reviews_offset_check" CHECK (("offset_days" IS NULL) <> ("offset_working_days" IS NULL)),
      CONSTRAINT "agreement_reviews_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "agreement_reviews_one_scheduled" ON "agreement_reviews" ("partnership_id") WHERE "status" = 'scheduled'`);
    await q.query(`CREATE INDEX "agreement_reviews_anchor_idx" ON "agreement_reviews" ("anchor_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agreement_reviews"`);
  }
}
