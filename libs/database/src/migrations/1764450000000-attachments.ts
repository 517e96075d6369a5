import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments on a cycle's problem revisions, options, progress reports and learning review (issue
 * 36): one row per file (its sniffed type, size and SHA-256, who uploaded it, withdrawn with a
 * reason, never deleted), and its bytes in chunks of 1 MiB when PostgreSQL is the store.
 */
export class Attachments1764450000000 implements MigrationInterface {
  name = 'Attachments1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "attachments" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "cycle_id" uuid NOT NULL,
      "subject" text NOT NULL,
      "subject_id" text,
      "name" text NOT NULL,
      "media_type" text NOT NULL,
      "bytes" bigint NOT NULL,
      "sha256" text NOT NULL,
      "store" text NOT NULL,
      "uploaded_by_user_id" uuid NOT NULL,
      "at" timestamptz NOT NULL,
      "withdrawn_at" timestamptz,
      "withdrawn_by_user_id" uuid,
      "withdrawn_reason" text,
      "erased_at" timestamptz,
      CONSTRAINT "attachments_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "attachments_subject_check" CHECK ("subject" IN ('revision', 'option', 'progress', 'review')),
      CONSTRAINT "attachments_store_check" CHECK ("store" IN ('postgres', 's3')),
      CONSTRAINT "attachments_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE,
      CONSTRAINT "attachments_uploaded_by_fkey" FOREIGN KEY ("uploaded_by_user_id") REFERENCES "users"("id") ON DELETE CASCADE,
      CONSTRAINT "attachments_withdrawn_by_fkey" FOREIGN KEY ("withdrawn_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL)`);
    await q.query(`CREATE INDEX "attachments_cycle_idx" ON "attachments" ("cycle_id", "at", "id")`);
    await q.query(`CREATE INDEX "attachments_uploaded_by_idx" ON "attachments" ("uploaded_by_user_id")`);
    await q.query(`CREATE TABLE "attachment_chunks" (
      "attachment_id" uuid NOT NULL,
      "seq" integer NOT NULL,
      "data" bytea NOT NULL,
      CONSTRAINT "attachment_chunks_pkey" PRIMARY KEY ("attachment_id", "seq"),
      CONSTRAINT "attachment_chunks_attachment_fkey" FOREIGN KEY ("attachment_id") REFERENCES "attachments"("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)`);
    // The bytes are already compressed (PDF, Office, images) or small: PostgreSQL need not try again.
    await q.query(`ALTER TABLE "attachment_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "attachment_chunks"`);
    await q.query(`DROP TABLE "attachments"`);
  }
}
