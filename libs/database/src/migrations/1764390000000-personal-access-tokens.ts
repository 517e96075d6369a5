import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal access tokens (issue 33): scripts and partner systems get tokens of their own instead
 * of borrowing a person's 15-minute one. Only the token's SHA-256 is kept; a person's tokens go
 * with the person.
 */
export class PersonalAccessTokens1764390000000 implements MigrationInterface {
  name = 'PersonalAccessTokens1764390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "personal_access_tokens" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL,
      "name" text NOT NULL,
      "scope" text NOT NULL,
      "token_hash" text NOT NULL,
      "expires_at" timestamptz NOT NULL,
      "last_used_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "personal_access_tokens_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "personal_access_tokens_scope_check" CHECK ("scope" IN ('read', 'write')),
      CONSTRAINT "personal_access_tokens_user_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "personal_access_tokens_hash_key" ON "personal_access_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "personal_access_tokens_user_idx" ON "personal_access_tokens" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "personal_access_tokens"`);
  }
}
