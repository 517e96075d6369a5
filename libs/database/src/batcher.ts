/**
 * Group commit for the application: writes that arrive while earlier ones are on their way to
 * the database go together, as one statement and one commit. With nothing in flight a write
 * leaves at once (on the next microtask), so a quiet service adds no wait; under load the
 * commits, round trips and planning are shared by a whole batch.
 *
 * Two writes with the same key never share a batch, nor go while a batch holding that key is on
 * its way (the later waits for the next one): a batch can use set-based SQL without two of its
 * rows touching the same record, and writes to one record keep their order.
 *
 * A batch refused as a whole may have been refused for one item (a text PostgreSQL cannot store):
 * when `alone` says the error allows it, each item of the batch is then sent again by itself, so
 * only the bad one fails and the others are written (its keys stay busy meanwhile).
 */
export interface BatcherOptions<I> {
  /** At most this many items per batch. */
  maxBatch: number;
  /** At most this many batches on their way at once. */
  maxInFlight: number;
  /** Items with the same key never go in the same batch (without it, any items may). */
  key?: (item: I) => string;
  /**
   * Whether a batch of several items that failed with this error is tried again item by item.
   * Only for an error that proves nothing was written (the statement refused, rolled back): an
   * item is never applied twice.
   */
  alone?: (error: unknown) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly busyKeys = new Set<string>();

  constructor(
    /** Writes a batch; answers one result per item, in the same order. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions<I>,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items accepted but not yet answered. */
  get pending(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || !this.waiting.length) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= this.options.maxInFlight || !this.waiting.length) return;
    const keys: string[] = [];
    const batch: Waiting<I, O>[] = [];
    const later: Waiting<I, O>[] = [];
    for (const w of this.waiting) {
      const key = this.options.key?.(w.item);
      if (batch.length < this.options.maxBatch && (key === undefined || !this.busyKeys.has(key))) {
        if (key !== undefined) {
          this.busyKeys.add(key);
          keys.push(key);
        }
        batch.push(w);
      } else {
        later.push(w);
      }
    }
    this.waiting = later;
    if (!batch.length) return; // everything waiting is behind a batch on its way
    this.inFlight++;
    this.send(batch)
      .catch(async (error: unknown) => {
        if (batch.length < 2 || !this.options.alone?.(error)) return batch.forEach((w) => w.reject(error));
        // One after the other, as the batch would have been written.
        for (const w of batch) await this.send([w]).catch(w.reject);
      })
      .finally(() => {
        for (const key of keys) this.busyKeys.delete(key);
        this.inFlight--;
        this.schedule();
      });
    // Room for another batch at once (the rest of what was waiting).
    this.schedule();
  }

  /** Runs a batch and answers each of its items; rejects (answering none) when the run fails. */
  private async send(batch: Waiting<I, O>[]): Promise<void> {
    const results = await new Promise<O[]>((resolve) => resolve(this.run(batch.map((w) => w.item))));
    if (results.length !== batch.length) {
      const error = new Error(`a batch of ${batch.length} answered ${results.length} results`);
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }
}
