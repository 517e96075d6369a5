/** The background audit: the chains verified longest ago walked again in full, resting between cycles. */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HistoryAuditService } from '@app/cycles';
import { Relay } from './relay/relay';

/** Cycles whose chains are verified in full on each pass, those checked longest ago first. */
const PER_PASS = 100;
/** After each cycle, the pass rests this many times as long as the cycle took: it takes a quarter of a core at most. */
export const REST_FACTOR = 3;

/**
 * The background audit, a source of the relay: every 5 minutes the chains verified in full
 * longest ago are walked again from their first entry (`verify` goes on from a checkpoint, so it
 * needs this to find a change behind the checkpoint). A break is logged and kept, and every verification reports it from then on.
 * It is paced (REST_FACTOR): a hundred cycles of long histories walked back to back took the
 * machine's CPU from the people using it for seconds on end. Shutdown ends a rest at once and
 * stops the pass there.
 */
@Injectable()
export class HistoryAuditPass implements OnModuleInit {
  constructor(
    private readonly relay: Relay,
    private readonly audit: HistoryAuditService,
  ) {}

  onModuleInit(): void {
    this.relay.register({
      name: 'The history audit',
      everyMs: 5 * 60_000,
      pass: async (stopping) => {
        await this.audit.auditOldest(PER_PASS, (elapsedMs) => rest(elapsedMs * REST_FACTOR, stopping));
      },
    });
  }
}

/** Waits `ms`; answers whether to go on (false once `signal` has aborted, at once). */
export function rest(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
