import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with an organisation's identity provider (issue 33): one OpenID Connect provider per
 * organisation (its client secret encrypted), the email domains it vouches for (each domain one
 * organisation's at most), and people's identities at providers, found by (issuer, subject).
 */
export class IdentityProviders1764391000000 implements MigrationInterface {
  name = 'IdentityProviders1764391000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "identity_providers" (
      "organisation_id" uuid NOT NULL,
      "issuer" text NOT NULL,
      "client_id" text NOT NULL,
      "client_secret_encrypted" text NOT NULL,
      "passwords_allowed" boolean NOT NULL DEFAULT true,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "identity_providers_pkey" PRIMARY KEY ("organisation_id"),
      CONSTRAINT "identity_providers_organisation_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE TABLE "identity_provider_domains" (
      "domain" text NOT NULL,
      "organisation_id" uuid NOT NULL,
      CONSTRAINT "identity_provider_domains_pkey" PRIMARY KEY ("domain"),
      CONSTRAINT "identity_provider_domains_provider_fkey" FOREIGN KEY ("organisation_id") REFERENCES "identity_providers"("organisation_id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "identity_provider_domains_organisation_idx" ON "identity_provider_domains" ("organisation_id")`);
    await q.query(`CREATE TABLE "user_identities" (
      "issuer" text NOT NULL,
      "subject" text NOT NULL,
      "user_id" uuid NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "user_identities_pkey" PRIMARY KEY ("issuer", "subject"),
      CONSTRAINT "user_identities_user_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "user_identities_user_idx" ON "user_identities" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "user_identities"`);
    await q.query(`DROP TABLE "identity_provider_domains"`);
    await q.query(`DROP TABLE "identity_providers"`);
  }
}
