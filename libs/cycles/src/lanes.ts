/**
 * One lane per key: work given for a key runs after the work given for it before has finished,
 * whatever its outcome; different keys run side by side. A process serialises its own events to
 * one cycle this way, so they do not race each other to the compare-and-set (the loser would
 * have to be decided again under the row's lock); races between processes are still settled by
 * the compare-and-set.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before ? before.then(work, work) : work();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work running or waiting. */
  get busy(): number {
    return this.tails.size;
  }
}
