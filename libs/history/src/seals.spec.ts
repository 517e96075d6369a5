import { GENESIS_HASH, chainHash, chainedEntry, unexplained, verifyChain } from './chain';
import { ERASED, REDACTED, type Seals, newSalt, releaseFields, sealDigest, sealFields, sealedPayload, valueAt, pointerOf } from './seals';

const at = (day: number) => new Date(Date.UTC(2027, 0, day));
const learning = { insight: 'Sam Patel told us the bus times matter most', evidence: 'Notes of 3 March', recommendation: 'adapt' };

/** A chain of two sealed entries (learning, a pledge with a nested description) and one without prose. */
function sealedChain() {
  const pledge = { pledges: [{ kind: 'in-kind', description: 'Two volunteers on Tuesdays' }] };
  const contents = [
    { type: 'RECORD_LEARNING', payload: learning, seals: sealFields(learning, ['/insight', '/evidence']) },
    { type: 'PLEDGE', payload: pledge, seals: sealFields(pledge, ['/pledges/0/description']) },
    { type: 'SIGN_OFF_REVIEW', payload: { outcome: 'close' }, seals: null },
  ];
  const entries = [];
  let prev = GENESIS_HASH;
  for (const [i, c] of contents.entries()) {
    const e = chainedEntry('c', i + 1, prev, { ...c, actorUserId: 'u', organisationId: 'o', representative: false, fromState: 'reviewing', toState: 'reviewing', at: at(i + 1) });
    entries.push(e);
    prev = e.hash;
  }
  return entries;
}

describe('sealed personal fields (hash scheme 4)', () => {
  it('seals each field with a salt of its own; the hash covers the digests, not the texts', () => {
    const seals = sealFields(learning, ['/insight', '/evidence', '/missing'])!;
    expect(Object.keys(seals)).toEqual(['/insight', '/evidence']);
    expect(seals['/insight'].salt).toMatch(/^[0-9a-f]{32}$/);
    expect(seals['/insight'].salt).not.toBe(seals['/evidence'].salt);
    expect(seals['/insight'].digest).toBe(sealDigest(seals['/insight'].salt!, learning.insight));
    const hashed = sealedPayload(learning, seals);
    expect(hashed).toEqual({ insight: { $sealed: seals['/insight'].digest }, evidence: { $sealed: seals['/evidence'].digest }, recommendation: 'adapt' });
    expect(JSON.stringify(hashed)).not.toContain('Sam Patel');
    expect(learning.insight).toBe('Sam Patel told us the bus times matter most');
    expect(sealFields({ recommendation: 'adapt' }, [])).toBeUndefined();
  });

  it('salts are 16 random bytes each, never the same twice, across the pool they are cut from', () => {
    const salts = Array.from({ length: 1000 }, newSalt);
    for (const salt of salts) expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(salts).size).toBe(salts.length);
  });

  it('an entry without personal fields hashes as in scheme 3', () => {
    const content = {
      type: 'SIGN_OFF_REVIEW',
      actorUserId: 'u',
      organisationId: 'o',
      representative: true,
      fromState: 'reviewing',
      toState: 'reviewing',
      payload: { outcome: 'close' },
      at: at(1),
      seq: 1,
    };
    expect(chainHash(GENESIS_HASH, 'c', content, 4)).toBe(chainHash(GENESIS_HASH, 'c', content, 3));
    expect(() => chainedEntry('c', 1, GENESIS_HASH, { ...content, seals: sealFields(learning, ['/insight']) }, 3)).toThrow(/cannot seal/);
  });

  it('a sealed chain verifies, and a changed text is found though the hash still holds', () => {
    const entries = sealedChain();
    expect(verifyChain('c', entries)).toEqual({ intact: true, length: 3 });
    const changed = entries.map((e) => (e.seq === 2 ? { ...e, payload: { pledges: [{ kind: 'in-kind', description: 'Nothing' }] } } : e));
    expect(verifyChain('c', changed)).toEqual({
      intact: false,
      brokenAtSeq: 2,
      length: 3,
      reason: 'Entry 2 was changed after it was written: its field /pledges/0/description is not the text it sealed.',
    });
    // A seal dropped to show the text as it is: the hash no longer holds.
    const unsealed = entries.map((e) => (e.seq === 1 ? { ...e, seals: { '/evidence': e.seals!['/evidence'] } } : e));
    expect(verifyChain('c', unsealed)).toMatchObject({ intact: false, brokenAtSeq: 1, reason: expect.stringMatching(/content no longer matches its hash/) });
    // The payload replaced behind the application, its sealed field gone: the hash does not hold (no throw).
    const replaced = entries.map((e) => (e.seq === 1 ? { ...e, payload: { forged: true } } : e));
    expect(verifyChain('c', replaced)).toMatchObject({ intact: false, brokenAtSeq: 1, reason: expect.stringMatching(/content no longer matches its hash/) });
  });

  it('a released field verifies only with its marker and an erasure or redaction entry naming it', () => {
    const entries = sealedChain();
    const released = releaseFields(entries[0].payload, entries[0].seals as Seals, ['/insight'], REDACTED);
    expect(released.payload).toEqual({ ...learning, insight: REDACTED });
    expect(released.seals['/insight']).toEqual({ digest: entries[0].seals!['/insight'].digest });
    const withoutEntry = [{ ...entries[0], ...released }, entries[1], entries[2]];
    expect(verifyChain('c', withoutEntry)).toMatchObject({ intact: false, brokenAtSeq: 1, reason: "Entry 1's field /insight was erased, but no erasure or redaction entry of the history names it." });
    const redaction = chainedEntry('c', 4, entries[2].hash, {
      type: 'REDACTED',
      actorUserId: 'admin',
      organisationId: null,
      fromState: 'reviewing',
      toState: 'reviewing',
      payload: { fields: [{ seq: 1, path: '/insight' }], reason: 'Names a resident' },
      at: at(9),
    });
    expect(verifyChain('c', [...withoutEntry, redaction])).toEqual({ intact: true, length: 4 });
    // Verified in parts (a file, line by line): the release is accounted for when its entry comes.
    const pending = new Map<string, number>();
    let from = { seq: 0, hash: GENESIS_HASH };
    for (const e of [...withoutEntry, redaction]) {
      expect(verifyChain('c', [e], undefined, from, pending)).toMatchObject({ intact: true });
      from = { seq: e.seq, hash: e.hash };
    }
    expect(unexplained(pending)).toBeUndefined();
    const cut = new Map<string, number>();
    verifyChain('c', withoutEntry, undefined, undefined, cut);
    expect(unexplained(cut)).toEqual({ seq: 1, reason: "Entry 1's field /insight was erased, but no erasure or redaction entry of the history names it." });
    // A text put back without its salt, or another text under the marker's place: not intact.
    const textBack = [{ ...withoutEntry[0], payload: learning }, entries[1], entries[2], redaction];
    expect(verifyChain('c', textBack)).toMatchObject({ intact: false, brokenAtSeq: 1, reason: expect.stringMatching(/lost its seal's salt but still holds a text/) });
    const erased = releaseFields(entries[1].payload, entries[1].seals as Seals, ['/pledges/0/description'], ERASED);
    expect(valueAt(erased.payload, '/pledges/0/description')).toBe(ERASED);
    expect(() => releaseFields(entries[2].payload, {}, ['/outcome'], ERASED)).toThrow(/not sealed/);
  });

  it('JSON Pointers escape / and ~', () => {
    expect(pointerOf(['a/b', 0, 'c~d'])).toBe('/a~1b/0/c~0d');
    expect(valueAt({ 'a/b': [{ 'c~d': 1 }] }, '/a~1b/0/c~0d')).toBe(1);
    expect(valueAt({ a: 1 }, '/b')).toBeUndefined();
  });
});
