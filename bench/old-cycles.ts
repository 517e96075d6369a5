/**
 * Old cycles for the benchmark (issue 18): one cycle walked through the API to delivering with many
 * problem revisions and options, its history then grown to `entries` with progress updates written
 * straight into the chain (hashed as the product hashes them, so it verifies), and copied.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { chainedEntry } from '@app/history';
import { parallel } from './harness';

interface Person {
  id: string;
  token: string;
}
interface Setup {
  writers: { council: Person[]; icb: Person[]; charity: Person[]; forum: Person[] };
  pick: <T>(list: T[]) => T;
  send: (id: string, token: string, event: object) => Promise<any>;
  inFraming: () => Promise<string>;
  entries: number;
  revisions: number;
  options: number;
  copies: number;
}

const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `word${(i * 7 + seed) % 97}`).join(' ');

export async function buildOldCycles(pg: Client, _base: string, s: Setup): Promise<{ ids: string[]; ms: number; snapshotBytes: number }> {
  const started = performance.now();
  const { writers, pick, send } = s;
  const id = await s.inFraming();
  for (let r = 1; r <= s.revisions; r++) await send(id, pick(writers.charity).token, { type: 'REVISE_PROBLEM', statement: `Revision ${r}: ${words(120, r)}` });
  for (const team of [writers.council, writers.icb, writers.charity, writers.forum]) await send(id, pick(team).token, { type: 'ENDORSE_PROBLEM', revision: s.revisions });
  let firstOption = '';
  for (let o = 1; o <= s.options; o++) {
    const view = await send(id, pick(writers.charity).token, { type: 'SUBMIT_OPTION', title: `Option ${o}`, summary: words(60, o) });
    firstOption ||= view.options[0].id;
  }
  await send(id, pick(writers.council).token, { type: 'CLOSE_OPTIONS' });
  const proposed = await send(id, pick(writers.icb).token, { type: 'PROPOSE_DECISION', optionIds: [firstOption], rationale: 'The first option' });
  const proposalId = proposed.decision.proposals[0].id;
  for (const team of [writers.council, writers.icb, writers.charity, writers.forum]) await send(id, pick(team).token, { type: 'CONSENT', proposalId });

  // The rest of its years: progress updates, chained as the product chains them.
  const head = (await pg.query(`SELECT version, history_hash FROM cycles WHERE id = $1`, [id])).rows[0];
  const author = writers.charity[0];
  const organisationId = (await pg.query(`SELECT organisation_id FROM users WHERE id = $1`, [author.id])).rows[0].organisation_id;
  const base = Date.now() - s.entries * 3_600_000;
  const progress = Array.from({ length: s.entries - head.version }, (_, i) => ({
    type: 'RECORD_PROGRESS',
    actorUserId: author.id,
    organisationId,
    representative: false,
    fromState: 'delivering',
    toState: 'delivering',
    payload: { note: `Weekly update ${i + 1}` },
    at: new Date(base + i * 3_600_000),
  }));
  await appendChained(pg, id, head.version, head.history_hash, progress);

  // Copies, each with its own chain (the cycle's id is in every entry's hash).
  const all = (await pg.query(`SELECT type, actor_user_id, organisation_id, representative, from_state, to_state, payload, at FROM cycle_history WHERE cycle_id = $1 ORDER BY seq`, [id])).rows.map(
    (r) => ({
      type: r.type,
      actorUserId: r.actor_user_id,
      organisationId: r.organisation_id,
      representative: r.representative,
      fromState: r.from_state,
      toState: r.to_state,
      payload: r.payload,
      at: r.at as Date,
    }),
  );
  const ids = [id];
  await parallel(
    Array.from({ length: s.copies - 1 }, (_, i) => i),
    2,
    async () => {
      const copy = randomUUID();
      await pg.query(`INSERT INTO cycles SELECT (jsonb_populate_record(c, jsonb_build_object('id', $2::uuid))).* FROM cycles c WHERE c.id = $1`, [id, copy]);
      await pg.query(`INSERT INTO cycle_texts (cycle_id, key, body) SELECT $2, key, body FROM cycle_texts WHERE cycle_id = $1`, [id, copy]);
      await appendChained(pg, copy, 0, '0'.repeat(64), all);
      ids.push(copy);
    },
  );
  await pg.query('ANALYZE cycle_history');
  const snapshotBytes = Number((await pg.query(`SELECT octet_length(snapshot::text) AS n FROM cycles WHERE id = $1`, [id])).rows[0].n);
  return { ids, ms: performance.now() - started, snapshotBytes };
}

type Content = Parameters<typeof chainedEntry>[3];

/** Chains `items` after entry `fromSeq` (hash `fromHash`) and moves the cycle's head to the last. */
async function appendChained(pg: Client, cycleId: string, fromSeq: number, fromHash: string, items: Content[]): Promise<void> {
  let prev = fromHash;
  const rows = items.map((content, i) => {
    const entry = chainedEntry(cycleId, fromSeq + i + 1, prev, content);
    prev = entry.hash;
    return {
      cycle_id: cycleId,
      seq: entry.seq,
      type: entry.type,
      actor_user_id: entry.actorUserId,
      organisation_id: entry.organisationId,
      representative: entry.representative,
      from_state: entry.fromState,
      to_state: entry.toState,
      payload: entry.payload,
      at: entry.at.toISOString(),
      prev_hash: entry.prevHash,
      hash: entry.hash,
    };
  });
  for (let i = 0; i < rows.length; i += 2000) {
    await pg.query(
      `INSERT INTO cycle_history (cycle_id, seq, type, actor_user_id, organisation_id, representative, from_state, to_state, payload, at, prev_hash, hash)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(cycle_id uuid, seq int, type text, actor_user_id uuid, organisation_id uuid, representative boolean,
         from_state text, to_state text, payload jsonb, at timestamptz, prev_hash text, hash text)`,
      [JSON.stringify(rows.slice(i, i + 2000))],
    );
  }
  await pg.query(
    `UPDATE cycles SET version = $2, history_hash = $3,
       progress_count = (SELECT count(*) FROM cycle_history WHERE cycle_id = $1 AND type = 'RECORD_PROGRESS') WHERE id = $1`,
    [cycleId, fromSeq + items.length, prev],
  );
}
