/** The worker's one polling loop, running each feature's pass over PostgreSQL when it is due. */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';

/**
 * What a feature that reacts hands the relay: one pass over what PostgreSQL holds for it (outbox
 * rows, pending notifications or deliveries, what has come due), turned into jobs or acted on.
 * What it does stays in its feature; when and how often, failures and shutdown are the relay's.
 */
export interface RelaySource {
  /** Its name in the relay's logs. */
  readonly name: string;
  /** How long after one pass ends the next starts (RELAY_INTERVAL_MS unless given). */
  readonly everyMs?: number;
  /**
   * One pass. `stopping` aborts at shutdown (a pass that rests between steps ends its rest). It
   * may answer how long to wait before its next pass, instead of `everyMs`.
   */
  pass(stopping: AbortSignal): Promise<number | void>;
}

interface Slot {
  source: RelaySource;
  dueAt: number;
  running?: Promise<void>;
}

/**
 * The worker's one polling loop: one timer, set for the next source due, fans out to every
 * source registered. A source's passes never overlap and the next waits its interval after the
 * last ends (a slow PostgreSQL or Redis spaces them out rather than piling them up); a slow
 * source does not hold up the others; a failure is logged and the source tried again at its next
 * pass; shutdown starts no pass and waits for those under way. Nothing is lost or doubled
 * between passes: each source leaves its rows pending until Redis has their jobs, whose fixed ids
 * make a second add a no-op.
 */
@Injectable()
export class Relay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private readonly slots: Slot[] = [];
  private readonly stopping = new AbortController();
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private started = false;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'worker'>) {
    this.intervalMs = config.worker.relayIntervalMs;
  }

  /** Adds a source; its first pass runs as soon as the relay has started. */
  register(source: RelaySource): void {
    this.slots.push({ source, dueAt: 0 });
    this.wake();
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  /** Starts no other pass, ends the sources' rests, and resolves once every pass under way has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await Promise.all(this.slots.map((slot) => slot.running));
  }

  /** Starts every source that is due and idle, then sleeps until the next one is due. */
  private wake(): void {
    clearTimeout(this.timer);
    if (!this.started || this.stopping.signal.aborted) return;
    const now = Date.now();
    for (const slot of this.slots) if (!slot.running && slot.dueAt <= now) this.run(slot);
    const next = Math.min(...this.slots.filter((slot) => !slot.running).map((slot) => slot.dueAt));
    if (next < Infinity) this.timer = setTimeout(() => this.wake(), Math.max(0, next - Date.now()));
  }

  private run(slot: Slot): void {
    const { source } = slot;
    slot.running = Promise.resolve()
      .then(() => source.pass(this.stopping.signal))
      .catch((error: Error) => {
        this.logger.warn(`${source.name} failed, will try again: ${error.message}`);
      })
      .then((wait) => {
        slot.running = undefined;
        slot.dueAt = Date.now() + (typeof wait === 'number' ? wait : (source.everyMs ?? this.intervalMs));
        this.wake();
      });
  }
}
