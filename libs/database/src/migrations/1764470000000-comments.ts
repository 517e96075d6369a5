import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Comments on a cycle's revisions, options, proposals and objections (issue 36): threads one level
 * deep, edited by their author for a while, hidden (never deleted) by a commissioner or facilitator.
 */
export class Comments1764470000000 implements MigrationInterface {
  name = 'Comments1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "comments" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "cycle_id" uuid NOT NULL,
      "subject" text NOT NULL,
      "subject_id" text NOT NULL,
      "reply_to" uuid,
      "author_user_id" uuid NOT NULL,
      "body" text NOT NULL,
      "at" timestamptz NOT NULL,
      "edited_at" timestamptz,
      "hidden_at" timestamptz,
      "hidden_by_user_id" uuid,
      "hidden_reason" text,
      CONSTRAINT "comments_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "comments_subject_check" CHECK ("subject" IN ('revision', 'option', 'proposal', 'objection')),
      CONSTRAINT "comments_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE,
      CONSTRAINT "comments_reply_to_fkey" FOREIGN KEY ("reply_to") REFERENCES "comments"("id") ON DELETE CASCADE,
      CONSTRAINT "comments_author_fkey" FOREIGN KEY ("author_user_id") REFERENCES "users"("id") ON DELETE CASCADE,
      CONSTRAINT "comments_hidden_by_fkey" FOREIGN KEY ("hidden_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await q.query(`CREATE INDEX "comments_thread_idx" ON "comments" ("cycle_id", "subject", "subject_id", "at", "id")`);
    await q.query(`CREATE INDEX "comments_author_idx" ON "comments" ("author_user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "comments"`);
  }
}
