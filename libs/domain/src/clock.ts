/**
 * Where the services read the time. Production uses the system clock; a clock set to another
 * moment (a Saturday, Christmas Day, the night the clocks go back) runs on from it, so tests and
 * demos see the calendar of that day while real delays (jobs, timeouts) keep their length.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The system clock moved by a fixed amount: it ticks in real time from another moment. */
export class OffsetClock implements Clock {
  constructor(readonly offsetMs: number) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** A clock that moves only when told to, for unit tests. */
export class ManualClock implements Clock {
  private current: number;

  constructor(at: Date | string) {
    this.current = new Date(at).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
