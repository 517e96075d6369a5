import { Logger } from '@nestjs/common';
import { Relay } from './relay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done` holds (a loaded machine runs timers late: no fixed sleep decides a test). */
async function until(done: () => boolean, withinMs = 10_000): Promise<void> {
  for (const end = Date.now() + withinMs; !done() && Date.now() < end;) await sleep(5);
}
const relayEvery = (relayIntervalMs: number) => new Relay({ worker: { relayIntervalMs } as never });

describe('the relay', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  it('runs a source’s passes one after another, each after the delay the one before chose', async () => {
    const relay = relayEvery(60_000);
    const starts: number[] = [];
    let inFlight = 0;
    let overlapped = false;
    relay.register({
      name: 'counting',
      pass: async () => {
        overlapped ||= inFlight > 0;
        inFlight++;
        starts.push(Date.now());
        await sleep(5);
        inFlight--;
        return starts.length < 3 ? 0 : 60_000;
      },
    });
    relay.start();
    await until(() => starts.length >= 3);
    await sleep(50); // the third chose a minute: no fourth follows it
    await relay.stop();
    expect(starts).toHaveLength(3);
    expect(overlapped).toBe(false);
  });

  it('runs nothing before it starts, then each source every RELAY_INTERVAL_MS unless it says otherwise', async () => {
    const relay = relayEvery(20);
    const runs = { often: 0, seldom: 0 };
    relay.register({ name: 'often', pass: async () => void runs.often++ });
    relay.register({ name: 'seldom', everyMs: 60_000, pass: async () => void runs.seldom++ });
    await sleep(50);
    expect(runs).toEqual({ often: 0, seldom: 0 });
    relay.start();
    await until(() => runs.often >= 4);
    await relay.stop();
    expect(runs.often).toBeGreaterThanOrEqual(4);
    expect(runs.seldom).toBe(1);
  });

  it('goes on with the other sources when one fails, logs the failure and tries that one again', async () => {
    const relay = relayEvery(10);
    let failures = 0;
    let passes = 0;
    relay.register({
      name: 'The broken pass',
      pass: async () => {
        failures++;
        throw new Error('connection refused');
      },
    });
    relay.register({
      name: 'The sync-throwing pass',
      pass: () => {
        throw new Error('not even a promise');
      },
    });
    relay.register({ name: 'The good pass', pass: async () => void passes++ });
    relay.start();
    await until(() => failures >= 3 && passes >= 3);
    await relay.stop();
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(warn).toHaveBeenCalledWith('The broken pass failed, will try again: connection refused');
    expect(warn).toHaveBeenCalledWith('The sync-throwing pass failed, will try again: not even a promise');
  });

  it('does not hold up one source behind another’s slow pass', async () => {
    const relay = relayEvery(10);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let quick = 0;
    relay.register({ name: 'slow', pass: () => slow });
    relay.register({ name: 'quick', pass: async () => void quick++ });
    relay.start();
    await until(() => quick >= 3);
    expect(quick).toBeGreaterThanOrEqual(3);
    release();
    await relay.stop();
  });

  it('on stop, starts no other pass, ends the sources’ rests and waits for the passes under way', async () => {
    const relay = relayEvery(10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    let finished = 0;
    let rested = false;
    relay.register({
      name: 'working',
      pass: async () => {
        started++;
        await gate;
        finished++;
      },
    });
    relay.register({
      name: 'resting',
      pass: (stopping) => new Promise<void>((resolve) => stopping.addEventListener('abort', () => resolve(void (rested = true)))),
    });
    relay.start();
    await until(() => started === 1);
    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await sleep(20);
    expect(rested).toBe(true);
    expect(stopped).toBe(false); // the working pass is still under way
    release();
    await stopping;
    expect(finished).toBe(1);
    await sleep(50);
    expect(started).toBe(1);
  });
});
