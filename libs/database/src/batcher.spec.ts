import { Batcher } from './batcher';

const tick = () => new Promise((r) => setImmediate(r));

function recorder(answer: (items: string[]) => Promise<string[]> = async (items) => items.map((i) => `ok:${i}`)) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: string[]) => {
    batches.push(items);
    await new Promise<void>((r) => gates.push(r));
    return answer(items);
  };
  const release = async () => {
    gates.splice(0).forEach((g) => g());
    await tick();
  };
  return { batches, run, release };
}

const key = (item: string) => item.split('.')[0];

describe('Batcher', () => {
  it('sends a lone write at once, and gathers writes that arrive while a batch is on its way', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1, key });
    const first = b.add('a');
    await tick();
    expect(r.batches).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((i) => b.add(i));
    await tick();
    expect(r.batches).toHaveLength(1);
    await r.release();
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
    await r.release();
    expect(await first).toBe('ok:a');
    expect(await Promise.all(rest)).toEqual(['ok:b', 'ok:c', 'ok:d']);
  });

  it('without a key, items for the same record share a batch (reads)', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1 });
    const first = b.add('a.1');
    await tick();
    const rest = ['a.2', 'a.3'].map((i) => b.add(i));
    await r.release();
    expect(r.batches).toEqual([['a.1'], ['a.2', 'a.3']]);
    await r.release();
    expect(await first).toBe('ok:a.1');
    expect(await Promise.all(rest)).toEqual(['ok:a.2', 'ok:a.3']);
  });

  it('never puts two writes with one key in a batch, nor sends one while its key is on its way', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 4, key });
    const all = ['x.1', 'x.2', 'y.1', 'x.3'].map((i) => b.add(i));
    await tick();
    expect(r.batches).toEqual([['x.1', 'y.1']]);
    await r.release();
    expect(r.batches.slice(1)).toEqual([['x.2']]);
    await r.release();
    await r.release();
    expect(r.batches.slice(2)).toEqual([['x.3']]);
    expect(await Promise.all(all)).toEqual(['ok:x.1', 'ok:x.2', 'ok:y.1', 'ok:x.3']);
  });

  it('caps the batch size and the batches in flight', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 2, maxInFlight: 2, key });
    const all = ['a', 'b', 'c', 'd', 'e'].map((i) => b.add(i));
    await tick();
    expect(r.batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(b.pending).toBe(1);
    await r.release();
    await r.release();
    expect(r.batches[2]).toEqual(['e']);
    expect(await Promise.all(all)).toHaveLength(5);
  });

  it('a failed batch fails each of its writes, and the next batch still goes', async () => {
    let fail = true;
    const r = recorder(async (items) => {
      if (fail) throw new Error('database gone');
      return items;
    });
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1, key });
    const doomed = [b.add('a'), b.add('b')];
    await tick();
    const next = b.add('c');
    await r.release();
    await expect(doomed[0]).rejects.toThrow('database gone');
    await expect(doomed[1]).rejects.toThrow('database gone');
    fail = false;
    await r.release();
    expect(await next).toBe('c');
  });

  it('a run that throws before it returns a promise fails its writes too', async () => {
    const b = new Batcher<string, string>(
      () => {
        throw new Error('bad statement');
      },
      { maxBatch: 10, maxInFlight: 1, key },
    );
    await expect(b.add('a')).rejects.toThrow('bad statement');
    await expect(b.add('b')).rejects.toThrow('bad statement');
  });
});

describe('Batcher, a batch refused for one of its items', () => {
  const refusing = (bad: string) => {
    const batches: string[][] = [];
    const run = async (items: string[]) => {
      batches.push(items);
      await tick();
      if (items.includes(bad)) throw Object.assign(new Error(`refused: ${bad}`), { refused: true });
      return items.map((i) => `ok:${i}`);
    };
    return { batches, run };
  };
  const refused = (error: unknown) => (error as { refused?: boolean }).refused === true;

  it('tries its items again one by one when the error allows it: only the bad one fails', async () => {
    const r = refusing('b');
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1, key, alone: refused });
    const first = b.add('x');
    await tick();
    const rest = ['a', 'b', 'c'].map((i) => b.add(i));
    const answers = await Promise.allSettled([first, ...rest]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(['ok:x', 'ok:a', 'refused: b', 'ok:c']);
    expect(r.batches).toEqual([['x'], ['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });

  it('keeps the batch’s keys busy until its items are answered alone', async () => {
    const r = refusing('a.1');
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 2, key, alone: refused });
    const all = ['a.1', 'b.1'].map((i) => b.add(i));
    await tick();
    const later = b.add('a.2');
    const answers = await Promise.allSettled([...all, later]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(r.batches).toEqual([['a.1', 'b.1'], ['a.1'], ['b.1'], ['a.2']]);
  });

  it('fails the whole batch at once on an error that does not allow it, or without the option', async () => {
    for (const alone of [() => false, undefined]) {
      const r = refusing('b');
      const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1, key, alone });
      const all = ['a', 'b'].map((i) => b.add(i));
      await expect(all[0]).rejects.toThrow('refused: b');
      await expect(all[1]).rejects.toThrow('refused: b');
      expect(r.batches).toEqual([['a', 'b']]);
    }
  });
});
