/**
 * Checking what the product publishes against the Open Contracting Data Standard 1.1.5: the
 * official release package and release schemas (JSON Schema draft 4, kept unchanged in test/standards)
 * and the codelists of the codes we use.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { ErrorObject } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';

/** The standard's files, inside the repository with their licence (test/standards/ocds-1.1.5/README.md). */
export const OCDS_STANDARD_DIR = resolve(__dirname, '../standards/ocds-1.1.5');

const schemaFile = (name: string) => JSON.parse(readFileSync(join(OCDS_STANDARD_DIR, name), 'utf8')) as { id: string };

/** A validator of release packages: the package schema, with the release schema under its own id (the package's `$ref`). */
export function releasePackageValidator(): (pkg: unknown) => ErrorObject[] {
  // The schemas carry OCDS's own keywords (codelist, openCodelist, deprecated, omitWhenMerged…): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schemaFile('release-schema.json'));
  const validate = ajv.compile(schemaFile('release-package-schema.json'));
  return (pkg) => (validate(pkg) ? [] : [...(validate.errors ?? [])]);
}

/** The codes of a codelist of the standard (its `Code` column). */
export function codelist(name: string): Set<string> {
  const rows = parse(readFileSync(join(OCDS_STANDARD_DIR, 'codelists', `${name}.csv`)), { columns: true }) as { Code: string }[];
  return new Set(rows.map((r) => r.Code));
}

interface Release {
  tag: string[];
  parties?: { roles?: string[] }[];
  planning?: { milestones?: { type?: string; status?: string }[] };
  tender?: { status?: string };
  relatedProcesses?: { relationship?: string[] }[];
}

/** Every code of a package's releases that is not on its codelist, as "field: code". */
export function codelistProblems(pkg: { releases: Release[] }): string[] {
  const lists = {
    releaseTag: codelist('releaseTag'),
    partyRole: codelist('partyRole'),
    milestoneType: codelist('milestoneType'),
    milestoneStatus: codelist('milestoneStatus'),
    tenderStatus: codelist('tenderStatus'),
    relatedProcess: codelist('relatedProcess'),
  };
  const problems: string[] = [];
  const check = (list: keyof typeof lists, field: string, code: string | undefined) => {
    if (code !== undefined && !lists[list].has(code)) problems.push(`${field}: ${code}`);
  };
  for (const r of pkg.releases) {
    for (const tag of r.tag) check('releaseTag', 'tag', tag);
    for (const p of r.parties ?? []) for (const role of p.roles ?? []) check('partyRole', 'parties.roles', role);
    for (const m of r.planning?.milestones ?? []) {
      check('milestoneType', 'planning.milestones.type', m.type);
      check('milestoneStatus', 'planning.milestones.status', m.status);
    }
    check('tenderStatus', 'tender.status', r.tender?.status);
    for (const rp of r.relatedProcesses ?? []) for (const code of rp.relationship ?? []) check('relatedProcess', 'relatedProcesses.relationship', code);
  }
  return problems;
}

/** Anything that runs SQL: TypeORM's DataSource or a pg Client. */
interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * `count` copies of a cycle (its row and its history, each a millisecond apart after it) in its
 * partnership, made by two statements: many cycles for exports, fast. Their ids are new; their
 * histories keep the source's hashes (no one verifies the copies' chains).
 */
export async function cloneCycles(db: Sql, sourceId: string, count: number): Promise<void> {
  await db.query(
    `WITH made AS (
       INSERT INTO cycles (partnership_id, title, iteration, state, snapshot, machine_version, version, progress_count, history_hash,
         inherited_learning, created_by_user_id, created_at, updated_at)
       SELECT s.partnership_id, s.title || ' (copy ' || g || ')', s.iteration, s.state, s.snapshot, s.machine_version, s.version, s.progress_count,
         s.history_hash, s.inherited_learning, s.created_by_user_id, s.created_at + g * interval '1 millisecond', s.updated_at
       FROM cycles s, generate_series(1, $2::int) g WHERE s.id = $1
       RETURNING id),
     texts AS (INSERT INTO cycle_texts (cycle_id, key, body) SELECT m.id, t.key, t.body FROM made m CROSS JOIN cycle_texts t WHERE t.cycle_id = $1)
     INSERT INTO cycle_history (cycle_id, seq, type, actor_user_id, organisation_id, from_state, to_state, payload, at, prev_hash, hash, representative)
     SELECT m.id, h.seq, h.type, h.actor_user_id, h.organisation_id, h.from_state, h.to_state, h.payload, h.at, h.prev_hash, h.hash, h.representative
     FROM made m CROSS JOIN cycle_history h WHERE h.cycle_id = $1`,
    [sourceId, count],
  );
}
