import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HistoryAuditService } from '@app/cycles';
import { RepeatingPass } from './repeating-pass';

/** Cycles whose chains are verified in full on each pass, those checked longest ago first. */
const PER_PASS = 100;

/**
 * The background audit: every 5 minutes the chains verified in full longest ago are walked again
 * from their first entry (`verify` goes on from a checkpoint, so it needs this to find a change
 * behind the checkpoint). A break is logged and kept, and every verification reports it from then on.
 */
@Injectable()
export class HistoryAuditPass implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HistoryAudit');
  private readonly passes = new RepeatingPass(async () => {
    await this.audit.auditOldest(PER_PASS).catch((error: Error) => this.logger.warn(`The history audit failed, will try again: ${error.message}`));
    return 5 * 60_000;
  });

  constructor(private readonly audit: HistoryAuditService) {}

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }
}
