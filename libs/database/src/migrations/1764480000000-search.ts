import { MigrationInterface, QueryRunner } from 'typeorm';

/** The users cycle `c` names as its facilitators (what an independent facilitator's search keeps to), as text[]. */
const FACILITATORS = (c: string) =>
  `ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(${c}.snapshot->'context'->'facilitatorUserIds') = 'array' THEN ${c}.snapshot->'context'->'facilitatorUserIds' ELSE '[]'::jsonb END))`;

/** The documents of the cycles `ids` names (cycle, options, learning), as rows of search_documents' columns. */
const CYCLE_DOCUMENTS = (ids: string) => `
  SELECT c.id AS cycle_id, c.partnership_id, 'cycle'::text AS kind, 'cycle'::text AS key, c.title,
    coalesce(t.body, CASE WHEN jsonb_typeof(r->'statement') = 'string' THEN r->>'statement' END, '') AS body, false AS withdrawn,
    ${FACILITATORS('c')} AS facilitator_user_ids
  FROM cycles c
  LEFT JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(c.snapshot->'context'->'problem'->'revisions') = 'array' THEN c.snapshot->'context'->'problem'->'revisions'->-1 END AS r) x ON true
  LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'revision:' || (x.r->>'number')
  WHERE c.id IN (${ids})
  UNION ALL
  SELECT c.id, c.partnership_id, 'option', 'option:' || (o->>'id'), coalesce(o->>'title', ''),
    coalesce(t.body, CASE WHEN jsonb_typeof(o->'summary') = 'string' THEN o->>'summary' END, ''), coalesce(o->>'status' = 'withdrawn', false), ${FACILITATORS('c')}
  FROM cycles c
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.snapshot->'context'->'options') = 'array' THEN c.snapshot->'context'->'options' ELSE '[]'::jsonb END) o
  LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'option:' || (o->>'id')
  WHERE c.id IN (${ids}) AND o->>'id' IS NOT NULL
  UNION ALL
  SELECT c.id, c.partnership_id, 'learning', 'learning:' || n, coalesce(l->>'insight', ''), coalesce(l->>'evidence', ''), false, ${FACILITATORS('c')}
  FROM cycles c
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.snapshot->'context'->'learnings') = 'array' THEN c.snapshot->'context'->'learnings' ELSE '[]'::jsonb END) WITH ORDINALITY AS y(l, n)
  WHERE c.id IN (${ids})`;

/** The document of each comment `rows` (a relation of comments' rows) holds that is not hidden. */
const COMMENT_DOCUMENTS = (rows: string) => `
  SELECT m.cycle_id, c.partnership_id, 'comment'::text AS kind, 'comment:' || m.id AS key, ''::text AS title, m.body, false AS withdrawn, ${FACILITATORS('c')} AS facilitator_user_ids
  FROM ${rows} m JOIN cycles c ON c.id = m.cycle_id WHERE m.hidden_at IS NULL`;

const UPSERT = `INSERT INTO search_documents (cycle_id, partnership_id, kind, key, title, body, withdrawn, facilitator_user_ids)`;
const ON_CONFLICT = `ON CONFLICT (cycle_id, key) DO UPDATE SET partnership_id = EXCLUDED.partnership_id, title = EXCLUDED.title, body = EXCLUDED.body,
    withdrawn = EXCLUDED.withdrawn, facilitator_user_ids = EXCLUDED.facilitator_user_ids
  WHERE (search_documents.partnership_id, search_documents.title, search_documents.body, search_documents.withdrawn, search_documents.facilitator_user_ids)
    IS DISTINCT FROM (EXCLUDED.partnership_id, EXCLUDED.title, EXCLUDED.body, EXCLUDED.withdrawn, EXCLUDED.facilitator_user_ids)`;

/**
 * Search (issue 36, part 3): one row per searchable text in `search_documents` (a cycle's title with
 * its latest problem statement, each option, each learning, each comment not hidden), its tsvector
 * kept by PostgreSQL (English stemming; the title weighs A, the body B) under a GIN index, with what
 * visibility needs beside it (the cycle's partnership and facilitators, so that a search reads no snapshot). Triggers
 * on cycles, cycle_texts and comments keep the rows right on every write path (events, erasure,
 * redaction, hiding), so nothing erased, redacted or hidden can be found. They run as the writer's
 * role: the apps' role has DML on search_documents as on every table (roles.ts), nothing more.
 */
export class Search1764480000000 implements MigrationInterface {
  name = 'Search1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "search_documents" (
      "cycle_id" uuid NOT NULL,
      "partnership_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "key" text NOT NULL,
      "title" text NOT NULL,
      "body" text NOT NULL,
      "withdrawn" boolean NOT NULL DEFAULT false,
      "facilitator_user_ids" text[] NOT NULL DEFAULT '{}',
      "document" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "body"), 'B')) STORED,
      CONSTRAINT "search_documents_pkey" PRIMARY KEY ("cycle_id", "key"),
      CONSTRAINT "search_documents_kind_check" CHECK ("kind" IN ('cycle', 'option', 'learning', 'comment')),
      CONSTRAINT "search_documents_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX "search_documents_document_idx" ON "search_documents" USING gin ("document")`);
    await q.query(`CREATE INDEX "search_documents_partnership_idx" ON "search_documents" ("partnership_id")`);

    // A cycle's documents again from its row and texts: changed ones rewritten, gone ones deleted, the rest untouched.
    await q.query(`CREATE FUNCTION "search_index_cycles"(ids uuid[]) RETURNS void LANGUAGE sql AS $$
      WITH fresh AS (${CYCLE_DOCUMENTS('SELECT unnest(ids)')}),
      gone AS (DELETE FROM search_documents d WHERE d.cycle_id = ANY(ids) AND d.kind <> 'comment'
        AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.cycle_id = d.cycle_id AND f.key = d.key)),
      talk AS (UPDATE search_documents d SET partnership_id = c.partnership_id, facilitator_user_ids = ${FACILITATORS('c')}
        FROM cycles c WHERE c.id = ANY(ids) AND d.cycle_id = c.id AND d.kind = 'comment'
          AND (d.partnership_id, d.facilitator_user_ids) IS DISTINCT FROM (c.partnership_id, ${FACILITATORS('c')}))
      ${UPSERT} SELECT * FROM fresh ${ON_CONFLICT}
    $$`);
    await q.query(`CREATE FUNCTION "search_cycles_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM search_index_cycles(ARRAY(SELECT id FROM new_rows));
        RETURN NULL;
      END $$`);
    // Most writes of a cycle (progress, votes, milestones) change none of its searchable parts: those
    // are left alone, after reading each version's context once (a row trigger: no copy of the rows kept).
    await q.query(`CREATE FUNCTION "search_cycles_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        o jsonb;
        n jsonb;
      BEGIN
        IF (NEW.title, NEW.partnership_id) IS NOT DISTINCT FROM (OLD.title, OLD.partnership_id) THEN
          o := OLD.snapshot->'context';
          n := NEW.snapshot->'context';
          IF (n->'options', n->'learnings', n->'problem'->'revisions'->-1, n->'facilitatorUserIds')
            IS NOT DISTINCT FROM (o->'options', o->'learnings', o->'problem'->'revisions'->-1, o->'facilitatorUserIds') THEN
            RETURN NULL;
          END IF;
        END IF;
        PERFORM search_index_cycles(ARRAY[NEW.id]);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION "search_cycle_texts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM search_index_cycles(ARRAY(SELECT DISTINCT cycle_id FROM old_rows));
        ELSE
          PERFORM search_index_cycles(ARRAY(SELECT DISTINCT cycle_id FROM new_rows));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION "search_comments_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM search_documents d USING old_rows o WHERE d.cycle_id = o.cycle_id AND d.key = 'comment:' || o.id
            AND (TG_OP = 'DELETE' OR NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id AND n.hidden_at IS NULL AND n.cycle_id = o.cycle_id));
        END IF;
        IF TG_OP <> 'DELETE' THEN
          ${UPSERT} ${COMMENT_DOCUMENTS('new_rows')} ${ON_CONFLICT};
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "search_cycles_inserted" AFTER INSERT ON "cycles" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_cycles_inserted()`);
    await q.query(`CREATE TRIGGER "search_cycles_updated" AFTER UPDATE OF "title", "partnership_id", "snapshot" ON "cycles" FOR EACH ROW EXECUTE FUNCTION search_cycles_updated()`);
    for (const [op, refs] of [
      ['INSERT', 'NEW TABLE AS new_rows'],
      ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
      ['DELETE', 'OLD TABLE AS old_rows'],
    ]) {
      const name = op.toLowerCase();
      await q.query(`CREATE TRIGGER "search_cycle_texts_${name}" AFTER ${op} ON "cycle_texts" REFERENCING ${refs} FOR EACH STATEMENT EXECUTE FUNCTION search_cycle_texts_changed()`);
      await q.query(`CREATE TRIGGER "search_comments_${name}" AFTER ${op} ON "comments" REFERENCING ${refs} FOR EACH STATEMENT EXECUTE FUNCTION search_comments_changed()`);
    }

    // What is there already.
    await q.query(`SELECT search_index_cycles(ARRAY(SELECT id FROM cycles))`);
    await q.query(`${UPSERT} ${COMMENT_DOCUMENTS('comments')} ${ON_CONFLICT}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['inserted', 'updated']) await q.query(`DROP TRIGGER "search_cycles_${t}" ON "cycles"`);
    for (const op of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER "search_cycle_texts_${op}" ON "cycle_texts"`);
      await q.query(`DROP TRIGGER "search_comments_${op}" ON "comments"`);
    }
    for (const f of ['search_cycles_inserted', 'search_cycles_updated', 'search_cycle_texts_changed', 'search_comments_changed']) await q.query(`DROP FUNCTION "${f}"()`);
    await q.query(`DROP FUNCTION "search_index_cycles"(uuid[])`);
    await q.query(`DROP TABLE "search_documents"`);
  }
}
