import { MigrationInterface, QueryRunner } from 'typeorm';

const REFUSE = `RAISE EXCEPTION 'cycle_history is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege'`;

/**
 * Hash scheme 4 (issue 34): an entry's personal fields are hashed as salted digests kept in
 * `seals` beside the payload. The history stays append-only with one exception the database
 * checks itself: an entry of scheme 4 may have sealed fields released — the text replaced by
 * "[erased]" or "[redacted]", the salt dropped, the digest kept — and nothing else changed.
 */
export class SealedHistory1764420000000 implements MigrationInterface {
  name = 'SealedHistory1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "cycle_history" ADD "seals" jsonb`);
    await q.query(`ALTER TABLE "cycle_history" DROP CONSTRAINT "cycle_history_hash_scheme_check"`);
    await q.query(`ALTER TABLE "cycle_history" ADD CONSTRAINT "cycle_history_hash_scheme_check" CHECK ("hash_scheme" IN (1, 2, 3, 4))`);
    await q.query(`ALTER TABLE "cycle_history" ALTER COLUMN "hash_scheme" SET DEFAULT 4`);
    await q.query(`CREATE OR REPLACE FUNCTION "cycle_history_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
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
          OR (NEW.cycle_id, NEW.seq, NEW.type, NEW.actor_user_id, NEW.organisation_id, NEW.representative, NEW.from_state, NEW.to_state, NEW.at, NEW.prev_hash, NEW.hash, NEW.hash_scheme)
            IS DISTINCT FROM (OLD.cycle_id, OLD.seq, OLD.type, OLD.actor_user_id, OLD.organisation_id, OLD.representative, OLD.from_state, OLD.to_state, OLD.at, OLD.prev_hash, OLD.hash, OLD.hash_scheme)
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

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION "cycle_history_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${REFUSE};
      END $$`);
    await q.query(`ALTER TABLE "cycle_history" ALTER COLUMN "hash_scheme" SET DEFAULT 3`);
    await q.query(`ALTER TABLE "cycle_history" DROP CONSTRAINT "cycle_history_hash_scheme_check"`);
    await q.query(`ALTER TABLE "cycle_history" ADD CONSTRAINT "cycle_history_hash_scheme_check" CHECK ("hash_scheme" IN (1, 2, 3))`);
    await q.query(`ALTER TABLE "cycle_history" DROP COLUMN "seals"`);
  }
}
