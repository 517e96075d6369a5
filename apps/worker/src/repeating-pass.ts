/**
 * A background pass that runs again after a delay it chooses, never two at once, and that
 * shutdown stops cleanly (it waits for the pass under way). Used by the outbox relay and the
 * sweeper.
 */
export class RepeatingPass {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  /** `pass` answers how long to wait before the next one. */
  constructor(private readonly pass: () => Promise<number>) {}

  start(): void {
    this.next(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private next(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then((wait) => this.next(wait));
    }, delayMs);
  }
}
