import { CycleStore } from './cycle-store';

const snapshot = (n: number) => ({ context: { n } });
const json = (text: string) => ({ revisions: Buffer.from(text), options: Buffer.from('[]') });

describe('the cycle store', () => {
  it('gives a part only for the version it was kept of', () => {
    const store = new CycleStore({ enabled: true, bytes: 1024 });
    store.keep('c1', 3, { snapshot: { value: snapshot(3), bytes: 10 } });
    expect(store.part('c1', 3, 'snapshot')).toEqual(snapshot(3));
    expect(store.part('c1', 2, 'snapshot')).toBeUndefined();
    expect(store.part('c1', 4, 'snapshot')).toBeUndefined();
    expect(store.part('c2', 3, 'snapshot')).toBeUndefined();
    expect(store.get('c1')?.version).toBe(3);
  });

  it('keeps the parts of one version together, drops them for a newer one and ignores an older one', () => {
    const store = new CycleStore({ enabled: true, bytes: 1024 });
    store.keep('c1', 3, { snapshot: { value: snapshot(3), bytes: 10 } });
    store.keep('c1', 3, { json: { value: json('[3]'), bytes: 10 } });
    expect(Object.keys(store.get('c1')!.parts).sort()).toEqual(['json', 'snapshot']);
    // An older version's part (a read that lost a race) does not replace a newer one.
    store.keep('c1', 2, { texts: { value: { 'revision:1': 'old' }, bytes: 10 } });
    expect(store.get('c1')).toMatchObject({ version: 3 });
    expect(store.part('c1', 2, 'texts')).toBeUndefined();
    // A newer version's part: the older parts go.
    store.keep('c1', 4, { texts: { value: { 'revision:1': 'new' }, bytes: 10 } });
    expect(store.get('c1')).toEqual({ version: 4, parts: { texts: { 'revision:1': 'new' } }, bytes: { texts: 10 } });
    // Null drops a part; an entry left with none is gone.
    store.keep('c1', 4, { texts: null });
    expect(store.get('c1')).toBeUndefined();
  });

  it('moves the parts a committed write leaves true on to the next version, and drops the rest', () => {
    const store = new CycleStore({ enabled: true, bytes: 1024 });
    store.keep('c1', 3, { snapshot: { value: snapshot(3), bytes: 10 }, texts: { value: { k: 'v' }, bytes: 10 }, json: { value: json('[3]'), bytes: 10 } });
    store.moved('c1', 3, 4, ['snapshot', 'texts'], { snapshot: snapshot(4) });
    expect(store.part('c1', 4, 'snapshot')).toEqual(snapshot(4));
    expect(store.part('c1', 4, 'texts')).toEqual({ k: 'v' });
    expect(store.part('c1', 4, 'json')).toBeUndefined();
    expect(store.part('c1', 3, 'snapshot')).toBeUndefined();
    // A write from a version other than the one kept: the cycle moved in between, nothing of it stays.
    store.moved('c1', 7, 8, ['snapshot']);
    expect(store.get('c1')).toBeUndefined();
    // Nothing kept: nothing to move.
    store.moved('c2', 1, 2, ['snapshot'], { snapshot: snapshot(2) });
    expect(store.get('c2')).toBeUndefined();
  });

  it('drops one part whatever its version', () => {
    const store = new CycleStore({ enabled: true, bytes: 1024 });
    store.keep('c1', 5, { snapshot: { value: snapshot(5), bytes: 10 }, json: { value: {}, bytes: 64 } });
    store.drop('c1', 'json');
    expect(store.get('c1')?.parts).toEqual({ snapshot: snapshot(5) });
  });

  it('keeps within one budget of bytes for all parts, the least recently used out first', () => {
    const store = new CycleStore({ enabled: true, bytes: 100 });
    store.keep('a', 1, { snapshot: { value: snapshot(1), bytes: 30 }, json: { value: json('a'), bytes: 10 } });
    store.keep('b', 1, { texts: { value: { k: 'b' }, bytes: 40 } });
    expect(store.get('a')).toBeDefined(); // used: now b is the least recent
    store.keep('c', 1, { snapshot: { value: snapshot(1), bytes: 30 } });
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
    // A part that grows an entry counts: a's 40 + 50 with c's 30 is over 100, c goes.
    store.keep('a', 1, { texts: { value: { k: 'a' }, bytes: 50 } });
    expect(store.get('c')).toBeUndefined();
    expect(Object.keys(store.get('a')!.parts).sort()).toEqual(['json', 'snapshot', 'texts']);
    // An entry larger than the whole budget is not kept (and what was kept of that cycle goes).
    store.keep('a', 2, { snapshot: { value: snapshot(2), bytes: 101 } });
    expect(store.get('a')).toBeUndefined();
  });

  it('keeps nothing when switched off (CYCLE_CACHE=off) or given no budget', () => {
    for (const store of [new CycleStore({ enabled: false, bytes: 1024 }), new CycleStore({ enabled: true, bytes: 0 })]) {
      expect(store.enabled).toBe(false);
      store.keep('c1', 1, { snapshot: { value: snapshot(1), bytes: 10 } });
      expect(store.get('c1')).toBeUndefined();
      expect(store.part('c1', 1, 'snapshot')).toBeUndefined();
      store.moved('c1', 1, 2, ['snapshot'], { snapshot: snapshot(2) });
      store.drop('c1', 'snapshot');
      expect(store.get('c1')).toBeUndefined();
    }
  });
});
