import { RepeatingPass } from './repeating-pass';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done` holds (a loaded machine runs timers late: no fixed sleep decides a test). */
async function until(done: () => boolean, withinMs = 10_000): Promise<void> {
  for (const end = Date.now() + withinMs; !done() && Date.now() < end; ) await sleep(5);
}

describe('RepeatingPass', () => {
  it('runs passes one after another, each after the delay the one before chose', async () => {
    const starts: number[] = [];
    let inFlight = 0;
    let overlapped = false;
    const pass = new RepeatingPass(async () => {
      overlapped ||= inFlight > 0;
      inFlight++;
      starts.push(Date.now());
      await sleep(5);
      inFlight--;
      return starts.length < 3 ? 0 : 60_000;
    });
    pass.start();
    await until(() => starts.length >= 3);
    await sleep(50); // the third chose a minute: no fourth follows it
    await pass.stop();
    expect(starts).toHaveLength(3);
    expect(overlapped).toBe(false);
  });

  it('stop waits for the pass under way and starts no other', async () => {
    let finished = 0;
    const pass = new RepeatingPass(async () => {
      await sleep(30);
      finished++;
      return 0;
    });
    pass.start();
    await sleep(10);
    await pass.stop();
    expect(finished).toBe(1);
    await sleep(50);
    expect(finished).toBe(1);
  });
});
