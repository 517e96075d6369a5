import canonicalize from 'canonicalize';
import { GENESIS_HASH, chainHash, chainedEntry, legacyCanonicalJson as canonicalJson, verifyChain } from './chain';

const entry = (seq: number, prevHash: string, payload: Record<string, unknown> = {}) => {
  const content = {
    cycleId: 'c',
    seq,
    type: 'REVISE_PROBLEM',
    actorUserId: 'u',
    organisationId: 'o',
    fromState: 'framing',
    toState: 'framing',
    payload,
    at: new Date(Date.UTC(2027, 0, seq)),
  };
  return { ...content, prevHash, hash: chainHash(prevHash, 'c', content) };
};

function chain(n: number) {
  const entries = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = entry(seq, prev, { statement: `v${seq}` });
    entries.push(e);
    prev = e.hash;
  }
  return entries;
}

describe('history chain', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('an untouched chain verifies', () => {
    expect(verifyChain('c', chain(5))).toEqual({ intact: true, length: 5 });
    expect(verifyChain('c', [])).toEqual({ intact: true, length: 0 });
  });

  it('verifies on from a checkpoint: only the entries after it, numbered and linked from it', () => {
    const entries = chain(6);
    const from = { seq: 4, hash: entries[3].hash };
    expect(verifyChain('c', entries.slice(4), { version: 6, historyHash: entries[5].hash }, from)).toEqual({ intact: true, length: 6 });
    expect(verifyChain('c', [], { version: 4, historyHash: entries[3].hash }, from)).toEqual({ intact: true, length: 4 });
    expect(verifyChain('c', entries.slice(5), undefined, from)).toMatchObject({ intact: false, brokenAtSeq: 5 });
    expect(verifyChain('c', entries.slice(4), undefined, { seq: 4, hash: entries[2].hash })).toMatchObject({ intact: false, brokenAtSeq: 5, reason: expect.stringMatching(/does not link/) });
  });

  it('reports the first entry whose content changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], payload: { statement: 'rewritten' } };
    expect(verifyChain('c', entries)).toEqual({ intact: false, brokenAtSeq: 3, length: 5, reason: expect.stringMatching(/Entry 3 was changed/) });
  });

  it('reports a removed entry and a re-hashed forgery that breaks the link', () => {
    const entries = chain(4);
    expect(verifyChain('c', [entries[0], entries[2], entries[3]])).toMatchObject({ intact: false, brokenAtSeq: 2 });
    const forged = entry(2, entries[1].prevHash, { statement: 'forged' });
    expect(verifyChain('c', [entries[0], forged, entries[2], entries[3]])).toMatchObject({ intact: false, brokenAtSeq: 3 });
  });

  it('hashes new entries in RFC 8785 form, and keeps verifying entries hashed in the earlier scheme', () => {
    // RFC 8785, section 3.2.2.3: numbers in their shortest ECMAScript form (the RFC's literal is meant to round).
    // eslint-disable-next-line no-loss-of-precision
    expect(canonicalize({ numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001] })).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
    // Two entries written before RFC 8785 was adopted (scheme 1), then one since (scheme 2).
    const old: ReturnType<typeof entry>[] = [];
    let prev = GENESIS_HASH;
    for (const seq of [1, 2]) {
      const { prevHash: _p, hash: _h, ...content } = entry(seq, prev, { statement: `v${seq}` });
      const hash = chainHash(prev, 'c', content, 1);
      old.push({ ...content, prevHash: prev, hash, hashScheme: 1 } as ReturnType<typeof entry>);
      prev = hash;
    }
    const next = entry(3, prev, { statement: 'v3' });
    expect(verifyChain('c', [...old, { ...next, hashScheme: 3 as const }])).toEqual({ intact: true, length: 3 });
    expect(verifyChain('c', [...old, { ...next, payload: { statement: 'changed' }, hashScheme: 3 as const }])).toMatchObject({ intact: false, brokenAtSeq: 3 });
  });

  it('hashes whether the actor was a representative from scheme 3 on, and leaves it out of scheme 2', () => {
    const { prevHash: _p, hash: _h, ...content } = entry(1, GENESIS_HASH, { statement: 'v1' });
    const scheme2 = { ...content, representative: false, prevHash: GENESIS_HASH, hash: chainHash(GENESIS_HASH, 'c', content, 2), hashScheme: 2 as const };
    // A scheme 2 row read back with the column's default still verifies.
    expect(verifyChain('c', [scheme2])).toEqual({ intact: true, length: 1 });
    const scheme3 = chainedEntry(content.cycleId, 1, GENESIS_HASH, { ...content, representative: true }, 3);
    expect(scheme3.hashScheme).toBe(3);
    expect(verifyChain('c', [scheme3])).toEqual({ intact: true, length: 1 });
    expect(verifyChain('c', [{ ...scheme3, representative: false }])).toMatchObject({ intact: false, brokenAtSeq: 1 });
  });

  it('hashes as every scheme always has: the values pinned were computed by the code that wrote them', () => {
    const content = {
      seq: 2,
      type: 'REVISE_PROBLEM',
      actorUserId: 'u',
      organisationId: 'o',
      fromState: 'framing',
      toState: 'framing',
      payload: { statement: 'Ünïcode €', n: 1.5, list: [3, { b: 1, a: null }] },
      representative: true,
      at: new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 6)),
    };
    const prev = 'a'.repeat(64);
    expect(chainHash(prev, 'c-1', content, 1)).toBe('3817492be5f8b81db0da76e9c10bfdff72cbd64d39867c6d52d3be2b9f339cc6');
    expect(chainHash(prev, 'c-1', content, 2)).toBe('3817492be5f8b81db0da76e9c10bfdff72cbd64d39867c6d52d3be2b9f339cc6');
    expect(chainHash(prev, 'c-1', content, 3)).toBe('642ccb37c2e8878166abd088586c5ae9a58b6271f99990908f0a4ecf4b5d8488');
    expect(chainedEntry('c-1', 2, prev, content).hash).toBe('642ccb37c2e8878166abd088586c5ae9a58b6271f99990908f0a4ecf4b5d8488');
    // The system's first entry of a partnership's history: no actor, no representative given.
    const created = { seq: 1, type: 'CREATED', actorUserId: null, organisationId: null, fromState: null, toState: 'drafting', payload: {}, at: new Date(0) };
    expect(chainHash(GENESIS_HASH, 'p', created)).toBe('5a3882e52a67001e0fa0b189ae23a91d2d62faa4c0dfbb06990cbad82f5927aa');
  });

  describe('against the cycle’s head (its version and newest hash)', () => {
    const headOf = (entries: ReturnType<typeof chain>) => ({ version: entries.length, historyHash: entries[entries.length - 1].hash });

    it('an untouched chain ends where the cycle’s row says', () => {
      const entries = chain(5);
      expect(verifyChain('c', entries, headOf(entries))).toEqual({ intact: true, length: 5 });
    });

    it('reports the newest entries deleted, which no link shows', () => {
      const entries = chain(5);
      const head = headOf(entries);
      expect(verifyChain('c', entries.slice(0, 3))).toEqual({ intact: true, length: 3 });
      expect(verifyChain('c', entries.slice(0, 3), head)).toEqual({
        intact: false,
        brokenAtSeq: 4,
        length: 3,
        reason: 'The cycle is at version 5 but its history ends at entry 3: the newest entries are missing.',
      });
      expect(verifyChain('c', [], head)).toMatchObject({ intact: false, brokenAtSeq: 1, length: 0 });
    });

    it('reports entries beyond the version, and a newest entry that is not the head', () => {
      const entries = chain(5);
      expect(verifyChain('c', entries, { version: 4, historyHash: entries[3].hash })).toMatchObject({ intact: false, brokenAtSeq: 5, reason: expect.stringMatching(/cycle is at version 4/) });
      // The newest entry replaced by a well-formed forgery that links to the one before.
      const forged = [...entries.slice(0, 4), entry(5, entries[3].hash, { statement: 'forged' })];
      expect(verifyChain('c', forged)).toEqual({ intact: true, length: 5 });
      expect(verifyChain('c', forged, headOf(entries))).toMatchObject({ intact: false, brokenAtSeq: 5, reason: expect.stringMatching(/hash differs from the cycle/) });
    });
  });
});
