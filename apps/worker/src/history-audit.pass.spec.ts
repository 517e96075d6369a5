import { rest } from './history-audit.pass';

describe('the history audit’s rest between cycles', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits as long as asked, then says go on', async () => {
    const stopping = new AbortController();
    let answer: boolean | undefined;
    void rest(300, stopping.signal).then((go) => (answer = go));
    await jest.advanceTimersByTimeAsync(299);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answer).toBe(true);
  });

  it('ends at once on shutdown, and says stop (then and after)', async () => {
    const stopping = new AbortController();
    let answer: boolean | undefined;
    void rest(60_000, stopping.signal).then((go) => (answer = go));
    await jest.advanceTimersByTimeAsync(10);
    stopping.abort();
    await Promise.resolve();
    expect(answer).toBe(false);
    expect(await rest(1, stopping.signal)).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });
});
