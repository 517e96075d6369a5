import { MigrationInterface, QueryRunner } from 'typeorm';

/** The two histories whose head is on their parent's row (ChainedHistory), and their subject's column. */
const HISTORIES = [
  { table: 'agreement_history', key: 'partnership_id' },
  { table: 'partnership_history', key: 'partnership_id' },
] as const;

const refuse = (table: string) => `RAISE EXCEPTION '${table} is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege'`;

/**
 * Hash scheme 4 for the agreements' and partnerships' histories (issue 34), as 1764420000000 did
 * for the cycles': new entries seal the prose a person wrote in `seals`; the entries of scheme 3
 * keep verifying as they were. The history stays append-only except that a scheme-4 entry's sealed
 * fields may be released (text → "[erased]" or "[redacted]", salt dropped, digest kept), nothing
 * else changed: the same check as the cycles' trigger.
 */
export class SealedAgreementHistory1764430000000 implements MigrationInterface {
  name = 'SealedAgreementHistory1764430000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, key } of HISTORIES) {
      const REFUSE = refuse(table);
      await q.query(`ALTER TABLE "${table}" ADD "seals" jsonb`);
      await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_hash_scheme_check"`);
      await q.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_hash_scheme_check" CHECK ("hash_scheme" IN (3, 4))`);
      await q.query(`ALTER TABLE "${table}" ALTER COLUMN "hash_scheme" SET DEFAULT 4`);
      await q.query(`CREATE OR REPLACE FUNCTION "${table}_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          pointer text;
          old_seal jsonb;
          new_seal jsonb;
          path text[];
          old_rest jsonb;
          new_rest jsonb;
        BEGIN
          IF TG_OP <> 'UPDATE' THEN ${REFUSE}; END IF;
          IF OLD.hash_scheme < 4 OR OLD.seals IS NULL OR NEW.seals IS NULL
            OR (NEW.${key}, NEW.seq, NEW.type, NEW.actor_user_id, NEW.organisation_id, NEW.representative, NEW.from_state, NEW.to_state, NEW.at, NEW.prev_hash, NEW.hash, NEW.hash_scheme)
              IS DISTINCT FROM (OLD.${key}, OLD.seq, OLD.type, OLD.actor_user_id, OLD.organisation_id, OLD.representative, OLD.from_state, OLD.to_state, OLD.at, OLD.prev_hash, OLD.hash, OLD.hash_scheme)
            OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(NEW.seals) k) IS DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(OLD.seals) k) THEN
            ${REFUSE};
          END IF;
          old_rest := OLD.payload;
          new_rest := NEW.payload;
          FOR pointer, old_seal IN SELECT key, value FROM jsonb_each(OLD.seals) LOOP
            new_seal := NEW.seals -> pointer;
            path := ARRAY(SELECT replace(replace(t, '~1', '/'), '~0', '~') FROM unnest(string_to_array(substr(pointer, 2), '/')) WITH ORDINALITY AS u(t, n) ORDER BY n);
            -- A seal stays exactly as it was, or loses its salt and nothing else.
            IF new_seal IS DISTINCT FROM old_seal AND new_seal IS DISTINCT FROM (old_seal - 'salt') THEN ${REFUSE}; END IF;
            IF new_seal = old_seal THEN
              IF (NEW.payload #> path) IS DISTINCT FROM (OLD.payload #> path) THEN ${REFUSE}; END IF;
            ELSIF (NEW.payload #> path) IS DISTINCT FROM '"[erased]"'::jsonb AND (NEW.payload #> path) IS DISTINCT FROM '"[redacted]"'::jsonb THEN
              ${REFUSE};
            END IF;
            old_rest := jsonb_set(old_rest, path, 'null'::jsonb, false);
            new_rest := jsonb_set(new_rest, path, 'null'::jsonb, false);
          END LOOP;
          IF old_rest IS DISTINCT FROM new_rest THEN ${REFUSE}; END IF;
          RETURN NEW;
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table } of HISTORIES) {
      await q.query(`CREATE OR REPLACE FUNCTION "${table}_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          ${refuse(table)};
        END $$`);
      await q.query(`ALTER TABLE "${table}" ALTER COLUMN "hash_scheme" SET DEFAULT 3`);
      await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_hash_scheme_check"`);
      await q.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_hash_scheme_check" CHECK ("hash_scheme" IN (3))`);
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "seals"`);
    }
  }
}
