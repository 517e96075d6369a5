import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "organisations" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" text NOT NULL,
      "kind" text NOT NULL CONSTRAINT "organisations_kind_check" CHECK ("kind" IN ('commissioner', 'provider', 'community')),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "organisations_pkey" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "users" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "email" text NOT NULL,
      "name" text NOT NULL,
      "password_hash" text NOT NULL,
      "role" text NOT NULL DEFAULT 'member' CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'member')),
      "organisation_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "users_member_has_organisation" CHECK ("role" = 'admin' OR "organisation_id" IS NOT NULL),
      CONSTRAINT "users_organisation_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT)`);
    await q.query(`CREATE UNIQUE INDEX "users_email_key" ON "users" ("email")`);
    await q.query(`CREATE INDEX "users_organisation_idx" ON "users" ("organisation_id")`);

    await q.query(`CREATE TABLE "partnerships" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" text NOT NULL,
      "destination" text,
      "principles" jsonb NOT NULL DEFAULT '[]'::jsonb,
      "created_by_user_id" uuid NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "partnerships_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "partnerships_created_by_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id"))`);

    await q.query(`CREATE TABLE "partnership_members" (
      "partnership_id" uuid NOT NULL,
      "organisation_id" uuid NOT NULL,
      "joined_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "partnership_members_pkey" PRIMARY KEY ("partnership_id", "organisation_id"),
      CONSTRAINT "partnership_members_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE CASCADE,
      CONSTRAINT "partnership_members_organisation_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT)`);
    await q.query(`CREATE INDEX "partnership_members_organisation_idx" ON "partnership_members" ("organisation_id")`);

    await q.query(`CREATE TABLE "table_declarations" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL,
      "organisation_id" uuid NOT NULL,
      "version" int NOT NULL CONSTRAINT "table_declarations_version_check" CHECK ("version" > 0),
      "on_table" jsonb NOT NULL,
      "off_table" jsonb NOT NULL,
      "declared_by_user_id" uuid NOT NULL,
      "declared_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "table_declarations_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "table_declarations_member_fkey" FOREIGN KEY ("partnership_id", "organisation_id")
        REFERENCES "partnership_members"("partnership_id", "organisation_id") ON DELETE CASCADE,
      CONSTRAINT "table_declarations_declared_by_fkey" FOREIGN KEY ("declared_by_user_id") REFERENCES "users"("id"))`);
    await q.query(`CREATE UNIQUE INDEX "table_declarations_version_key" ON "table_declarations" ("partnership_id", "organisation_id", "version")`);

    await q.query(`CREATE TABLE "outcomes" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL,
      "title" text NOT NULL,
      "metrics" jsonb NOT NULL,
      "created_by_user_id" uuid NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "outcomes_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "outcomes_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE CASCADE,
      CONSTRAINT "outcomes_created_by_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id"))`);
    await q.query(`CREATE INDEX "outcomes_partnership_idx" ON "outcomes" ("partnership_id")`);

    await q.query(`CREATE TABLE "anchors" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "partnership_id" uuid NOT NULL,
      "name" text NOT NULL,
      "date" timestamptz NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "anchors_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "anchors_partnership_fkey" FOREIGN KEY ("partnership_id") REFERENCES "partnerships"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "anchors_partnership_idx" ON "anchors" ("partnership_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['anchors', 'outcomes', 'table_declarations', 'partnership_members', 'partnerships', 'users', 'organisations']) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
