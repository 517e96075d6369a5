import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions of the web app's signed-in browsers. */
export class WebSessions1763960000000 implements MigrationInterface {
  name = 'WebSessions1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "web_sessions" (
      "token_hash" text NOT NULL,
      "user_id" uuid NOT NULL,
      "csrf_token" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "expires_at" timestamptz NOT NULL,
      CONSTRAINT "web_sessions_pkey" PRIMARY KEY ("token_hash"),
      CONSTRAINT "web_sessions_user_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "web_sessions_user_idx" ON "web_sessions" ("user_id")`);
    await q.query(`CREATE INDEX "web_sessions_expires_idx" ON "web_sessions" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "web_sessions"`);
  }
}
