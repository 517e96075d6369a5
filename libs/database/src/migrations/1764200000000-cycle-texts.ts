import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cycles' long texts apart from their snapshots (issue 18): every problem statement and option
 * summary moves into `cycle_texts`, and the stored snapshots keep the revisions and options
 * without them (cycle.texts.ts in the domain puts them back for the views).
 */
export class CycleTexts1764200000000 implements MigrationInterface {
  name = 'CycleTexts1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "cycle_texts" (
      "cycle_id" uuid NOT NULL,
      "key" text NOT NULL,
      "body" text NOT NULL,
      CONSTRAINT "PK_cycle_texts" PRIMARY KEY ("cycle_id", "key"),
      CONSTRAINT "cycle_texts_cycle_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE)`);
    // No event may land between the copy and the strip (a process of the earlier build still writing).
    await q.query(`LOCK TABLE "cycles" IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`INSERT INTO "cycle_texts" (cycle_id, key, body)
      SELECT c.id, 'revision:' || (r->>'number'), r->>'statement'
      FROM cycles c, jsonb_array_elements(coalesce(c.snapshot->'context'->'problem'->'revisions', '[]'::jsonb)) r
      WHERE jsonb_typeof(r->'statement') = 'string'
      UNION ALL
      SELECT c.id, 'option:' || (o->>'id'), o->>'summary'
      FROM cycles c, jsonb_array_elements(coalesce(c.snapshot->'context'->'options', '[]'::jsonb)) o
      WHERE jsonb_typeof(o->'summary') = 'string'
      ON CONFLICT DO NOTHING`);
    await q.query(`UPDATE "cycles" c SET snapshot = jsonb_set(jsonb_set(c.snapshot,
        '{context,problem,revisions}', coalesce((SELECT jsonb_agg(r - 'statement' ORDER BY n)
          FROM jsonb_array_elements(c.snapshot->'context'->'problem'->'revisions') WITH ORDINALITY AS x(r, n)), '[]'::jsonb)),
        '{context,options}', coalesce((SELECT jsonb_agg(o - 'summary' ORDER BY n)
          FROM jsonb_array_elements(c.snapshot->'context'->'options') WITH ORDINALITY AS y(o, n)), '[]'::jsonb))
      WHERE jsonb_typeof(c.snapshot->'context'->'problem'->'revisions') = 'array' AND jsonb_typeof(c.snapshot->'context'->'options') = 'array'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "cycles" c SET snapshot = jsonb_set(jsonb_set(c.snapshot,
        '{context,problem,revisions}', coalesce((SELECT jsonb_agg(r || jsonb_build_object('statement', coalesce(t.body, '')) ORDER BY n)
          FROM jsonb_array_elements(c.snapshot->'context'->'problem'->'revisions') WITH ORDINALITY AS x(r, n)
          LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'revision:' || (r->>'number')), '[]'::jsonb)),
        '{context,options}', coalesce((SELECT jsonb_agg(o || jsonb_build_object('summary', coalesce(t.body, '')) ORDER BY n)
          FROM jsonb_array_elements(c.snapshot->'context'->'options') WITH ORDINALITY AS y(o, n)
          LEFT JOIN cycle_texts t ON t.cycle_id = c.id AND t.key = 'option:' || (o->>'id')), '[]'::jsonb))
      WHERE jsonb_typeof(c.snapshot->'context'->'problem'->'revisions') = 'array' AND jsonb_typeof(c.snapshot->'context'->'options') = 'array'`);
    await q.query(`DROP TABLE "cycle_texts"`);
  }
}
