import { GENESIS_HASH, canonicalJson, chainHash, verifyChain } from './history-chain';

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
  return { ...content, prevHash, hash: chainHash(prevHash, content) };
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
    expect(verifyChain(chain(5))).toEqual({ intact: true, length: 5 });
    expect(verifyChain([])).toEqual({ intact: true, length: 0 });
  });

  it('reports the first entry whose content changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], payload: { statement: 'rewritten' } };
    expect(verifyChain(entries)).toEqual({ intact: false, brokenAtSeq: 3, length: 5 });
  });

  it('reports a removed entry and a re-hashed forgery that breaks the link', () => {
    const entries = chain(4);
    expect(verifyChain([entries[0], entries[2], entries[3]])).toMatchObject({ intact: false, brokenAtSeq: 2 });
    const forged = entry(2, entries[1].prevHash, { statement: 'forged' });
    expect(verifyChain([entries[0], forged, entries[2], entries[3]])).toMatchObject({ intact: false, brokenAtSeq: 3 });
  });
});
