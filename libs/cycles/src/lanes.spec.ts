import { Lanes } from './lanes';

const deferred = () => {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const tick = () => new Promise((r) => setImmediate(r));

describe('Lanes', () => {
  it('runs work for one key one after another, in the order given', async () => {
    const lanes = new Lanes();
    const order: string[] = [];
    const first = deferred();
    const a = lanes.run('x', async () => {
      order.push('a starts');
      await first.promise;
      order.push('a ends');
      return 'a';
    });
    const b = lanes.run('x', async () => {
      order.push('b starts');
      return 'b';
    });
    await tick();
    expect(order).toEqual(['a starts']);
    first.resolve();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(order).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('runs work for different keys side by side', async () => {
    const lanes = new Lanes();
    const gate = deferred();
    const started: string[] = [];
    const a = lanes.run('x', async () => {
      started.push('x');
      await gate.promise;
    });
    const b = lanes.run('y', async () => {
      started.push('y');
    });
    await b;
    expect(started).toEqual(['x', 'y']);
    gate.resolve();
    await a;
  });

  it('a failure is its caller’s alone: the next work for the key still runs', async () => {
    const lanes = new Lanes();
    const failing = lanes.run('x', async () => {
      throw new Error('refused');
    });
    const next = lanes.run('x', async () => 'ran');
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBe('ran');
  });

  it('forgets a key once its work is done', async () => {
    const lanes = new Lanes();
    await Promise.all([lanes.run('x', async () => 1), lanes.run('x', async () => 2), lanes.run('y', async () => 3)]);
    await tick();
    expect(lanes.busy).toBe(0);
  });
});
