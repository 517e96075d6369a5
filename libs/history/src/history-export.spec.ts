import { EntryContent, GENESIS_HASH, HashScheme, chainHash } from './chain';
import { describeVerdict, entryLine, exportLines, verifyExport } from './history-export';

const CYCLE = '7d1c0a52-4a8e-4d5e-9f3e-2b7c1e0f9a11';

/** A cycle's history as its entity rows: scheme 1, then 2, then 3 (as an old cycle's is), each chained to the one before. */
function rows(n: number, schemes: HashScheme[] = [1, 2, 3]) {
  const out = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const hashScheme = schemes[Math.min(seq - 1, schemes.length - 1)];
    const content: EntryContent & { seq: number } = {
      seq,
      type: seq === 1 ? 'CREATED' : 'REVISE_PROBLEM',
      actorUserId: 'a3f7a1c2-0000-4000-8000-000000000001',
      organisationId: seq % 2 ? 'b1e2c3d4-0000-4000-8000-000000000002' : null,
      representative: seq === 3,
      fromState: seq === 1 ? null : 'framing',
      toState: 'framing',
      payload: { statement: `Too many admissions, take ${seq}`, nested: { z: 1, a: [true, null, 2.5] } },
      at: new Date(Date.UTC(2027, 0, seq, 9, 30, 0, seq)),
    };
    const hash = chainHash(prev, CYCLE, content, hashScheme);
    out.push({ cycleId: CYCLE, ...content, prevHash: prev, hash, hashScheme, cycle: undefined });
    prev = hash;
  }
  return out;
}

async function fileOf(n: number, schemes?: HashScheme[]): Promise<string[]> {
  const entries = rows(n, schemes);
  const last = entries.at(-1);
  async function* pages() {
    yield entries.slice(0, 2);
    yield [];
    yield entries.slice(2);
  }
  let text = '';
  const head = { history: 'cycle' as const, subjectId: CYCLE, version: n, historyHash: last?.hash ?? GENESIS_HASH, exportedAt: '2027-02-01T12:00:00.000Z' };
  for await (const chunk of exportLines(head, 'cycleId', pages())) text += chunk;
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('the offline audit file', () => {
  it('is one entry a line in seq order, the entry as stored under subjectId with its scheme, and the head last', async () => {
    const lines = await fileOf(4);
    expect(lines).toHaveLength(5);
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first)).toEqual(['subjectId', 'seq', 'type', 'actorUserId', 'organisationId', 'representative', 'fromState', 'toState', 'payload', 'at', 'prevHash', 'hash', 'hashScheme']);
    expect(first).toMatchObject({ subjectId: CYCLE, seq: 1, type: 'CREATED', fromState: null, at: '2027-01-01T09:30:00.001Z', prevHash: GENESIS_HASH, hashScheme: 1 });
    expect(lines.slice(0, 4).map((l) => JSON.parse(l).hashScheme)).toEqual([1, 2, 3, 3]);
    expect(JSON.parse(lines[4])).toEqual({ kind: 'head', history: 'cycle', subjectId: CYCLE, version: 4, historyHash: JSON.parse(lines[3]).hash, exportedAt: '2027-02-01T12:00:00.000Z' });
  });

  it('carries the columns a later scheme adds after the known ones, and leaves out the subject key and relations not loaded', () => {
    const [row] = rows(1);
    const line = JSON.parse(entryLine(CYCLE, 'cycleId', { ...row, digests: { statement: 'ab12' } } as never));
    expect(line).not.toHaveProperty('cycleId');
    expect(line).not.toHaveProperty('cycle');
    expect(Object.keys(line).at(-1)).toBe('digests');
    expect(line.digests).toEqual({ statement: 'ab12' });
  });

  it('verifies intact: every scheme, pages, a trailing newline, CRLF line ends', async () => {
    const lines = await fileOf(6);
    const head = JSON.parse(lines.at(-1)!).historyHash;
    expect(await verifyExport(lines)).toEqual({ status: 'intact', entries: 6, head, history: 'cycle', subjectId: CYCLE });
    expect(await verifyExport([...lines.map((l) => `${l}\r`), ''])).toMatchObject({ status: 'intact', entries: 6 });
    expect(await verifyExport([`\uFEFF${lines[0]}`, ...lines.slice(1)])).toMatchObject({ status: 'intact', entries: 6 });
    expect(describeVerdict(await verifyExport(lines))).toEqual({ text: `intact (6 entries, head ${head})`, code: 0 });
  });

  it('verifies a history with no entries yet against its head (version 0, the genesis hash)', async () => {
    const lines = await fileOf(0);
    expect(lines).toHaveLength(1);
    expect(await verifyExport(lines)).toMatchObject({ status: 'intact', entries: 0, head: GENESIS_HASH });
  });

  it('names the first entry changed: one byte of a payload, its time, its scheme, its actor', async () => {
    const lines = await fileOf(5);
    const changed = [...lines];
    changed[2] = changed[2].replace('take 3', 'take 8');
    const verdict = await verifyExport(changed);
    expect(verdict).toEqual({ status: 'broken', seq: 3, line: 3, reason: 'Entry 3 was changed after it was written: its content no longer matches its hash.' });
    expect(describeVerdict(verdict)).toEqual({ text: `broken at entry 3 (line 3): ${(verdict as { reason: string }).reason}`, code: 1 });

    const at = [...lines];
    at[1] = at[1].replace('2027-01-02T09:30:00.002Z', '2027-01-02T09:30:00.003Z');
    expect(await verifyExport(at)).toMatchObject({ status: 'broken', seq: 2 });
    // Scheme 3 hashes `representative`, scheme 2 does not: claiming the older scheme does not hide a change.
    const scheme = [...lines];
    scheme[3] = scheme[3].replace('"hashScheme":3', '"hashScheme":2');
    expect(await verifyExport(scheme)).toMatchObject({ status: 'broken', seq: 4 });
    const actor = [...lines];
    actor[4] = actor[4].replace('"actorUserId":"a3f7a1c2-0000-4000-8000-000000000001"', '"actorUserId":null');
    expect(await verifyExport(actor)).toMatchObject({ status: 'broken', seq: 5 });
  });

  it('names a missing entry: a middle line deleted, or the newest ones (the head says how many there were)', async () => {
    const lines = await fileOf(5);
    expect(await verifyExport([...lines.slice(0, 2), ...lines.slice(3)])).toEqual({
      status: 'broken',
      seq: 3,
      line: 3,
      reason: 'Entry 3 is missing: the next entry is numbered 4.',
    });
    expect(await verifyExport([...lines.slice(0, 3), lines[5]])).toEqual({
      status: 'broken',
      seq: 4,
      line: 4,
      reason: "The cycle's head is at version 5, but the entries end at 3: entries 4 to 5 are missing.",
    });
  });

  it('finds a head that is not the last entry’s, an entry of another history, and a relinked chain', async () => {
    const lines = await fileOf(3);
    const head = JSON.parse(lines[3]);
    expect(await verifyExport([...lines.slice(0, 3), JSON.stringify({ ...head, historyHash: 'f'.repeat(64) })])).toMatchObject({ status: 'broken', seq: 3 });
    expect(await verifyExport([...lines.slice(0, 3), JSON.stringify({ ...head, version: 2 })])).toMatchObject({ status: 'broken', seq: 3 });
    // The head's own line is named, blank lines after it aside.
    expect(await verifyExport([...lines.slice(0, 3), JSON.stringify({ ...head, version: 2 }), '', ''])).toMatchObject({ status: 'broken', seq: 3, line: 4 });
    expect(await verifyExport([...lines.slice(0, 3), JSON.stringify({ ...head, subjectId: 'another' })])).toMatchObject({ status: 'broken', seq: 3 });
    const other = [...lines];
    other[1] = other[1].replace(CYCLE, 'another');
    expect(await verifyExport(other)).toMatchObject({ status: 'broken', seq: 2, reason: expect.stringContaining('another history') });
    const relinked = [...lines];
    relinked[2] = JSON.stringify({ ...JSON.parse(lines[2]), prevHash: GENESIS_HASH });
    expect(await verifyExport(relinked)).toMatchObject({ status: 'broken', seq: 3, reason: 'Entry 3 does not link to the entry before it.' });
  });

  it('refuses what is not a history file (exit 2): empty, no head, not JSON, a line after the head, a field missing or mistyped, a scheme it cannot hash', async () => {
    const lines = await fileOf(3);
    const malformed = async (file: string[]) => {
      const verdict = await verifyExport(file);
      expect(verdict.status).toBe('malformed');
      expect(describeVerdict(verdict).code).toBe(2);
      return (verdict as { reason: string }).reason;
    };
    expect(await malformed([])).toBe('The file is empty: it holds no entries and no head.');
    expect(await malformed(['', '  '])).toBe('The file is empty: it holds no entries and no head.');
    expect(await malformed(lines.slice(0, 3))).toMatch(/no head line/);
    expect(await malformed([lines[0], lines[1].slice(0, -1), lines[2], lines[3]])).toMatch(/^Line 2 is not JSON/);
    expect(await malformed([lines[0], '[1,2]', lines[3]])).toBe('Line 2 is not a JSON object.');
    expect(await malformed([...lines, lines[0]])).toBe('Line 5 follows the head line: the head must be the last line.');
    const { hash: _, ...noHash } = JSON.parse(lines[1]);
    expect(await malformed([lines[0], JSON.stringify(noHash), lines[2], lines[3]])).toBe('Line 2 is not a history entry: its hash must be text.');
    const { hashScheme: _s, ...noScheme } = JSON.parse(lines[1]);
    expect(await malformed([lines[0], JSON.stringify(noScheme), lines[2], lines[3]])).toBe('Line 2 is not a history entry: its hashScheme must be a whole number from 1.');
    expect(await malformed([lines[0].replace(/"at":"[^"]+"/, '"at":"2027-01-01T09:30:00Z"'), ...lines.slice(1)])).toMatch(/its at must be an instant/);
    expect(await malformed([lines[0].replace('"seq":1', '"seq":"1"'), ...lines.slice(1)])).toMatch(/its seq must be a whole number/);
    expect(await malformed([...lines.slice(0, 3), lines[3].replace('"version":3', '"version":-1')])).toMatch(/is the head, but its version/);
    expect(await malformed([lines[0].replace('"hashScheme":1', '"hashScheme":99'), ...lines.slice(1)])).toMatch(/^Entry 1 cannot be hashed under scheme 99 by this verifier/);
  });

  it('reads lines as they come (an async source), stopping at the first problem', async () => {
    const lines = await fileOf(4);
    let read = 0;
    async function* source() {
      for (const line of [lines[0], 'not json', ...lines.slice(1)]) {
        read++;
        yield line;
      }
    }
    expect(await verifyExport(source())).toMatchObject({ status: 'malformed', line: 2 });
    expect(read).toBe(2);
  });
});
