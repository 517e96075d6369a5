/** The retention policy: read, changed by an admin as a whole, and applied in batches by the worker's daily job. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { CycleReleasesService } from '@app/cycles';
import { Transactions } from '@app/database';
import { type Clock, Forbidden } from '@app/domain';
import { JobRecord, RETENTION_APPLIERS, RetentionRepository } from './retention.repository';
import { RETENTION_INFO, RETENTION_RECORDS, type RetentionRecord, RetentionRuleState } from './retention.policy';
import type { UpdateRetentionDto } from './retention.requests';

/** Rows deleted per statement: short statements, so that the tables' other users never wait long. */
export const RETENTION_BATCH = 1000;

const DAY_MS = 86_400_000;

/** What one run of the retention job deleted, per kind of record. */
export type RetentionCounts = Record<RetentionRecord, number>;

@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly rules: RetentionRepository,
    private readonly releases: CycleReleasesService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every record's rule, in the policy's order; a record without a row has its default. */
  async policy(): Promise<RetentionRuleState[]> {
    const rows = new Map((await this.rules.rules()).map((row) => [row.record, row]));
    return RETENTION_RECORDS.map((record) => {
      const row = rows.get(record);
      return {
        record,
        keepDays: row?.keepDays ?? RETENTION_INFO[record].defaultKeepDays,
        appliedBy: RETENTION_INFO[record].appliedBy,
        updatedAt: row?.updatedAt ?? new Date(0),
        updatedByUserId: row?.updatedByUserId ?? null,
      };
    });
  }

  /** Replaces the policy (a platform admin only), all of it or none, and answers it as it now stands. */
  async update(caller: Principal, body: UpdateRetentionDto): Promise<RetentionRuleState[]> {
    if (!isAdmin(caller)) throw new Forbidden('Only platform admins may change the retention policy.');
    const at = this.clock.now();
    await this.transactions.run(() =>
      this.rules.setRules(
        body.rules.map(({ record, keepDays }) => ({ record, keepDays })),
        caller.userId,
        at,
      ),
    );
    this.logger.log({ rules: Object.fromEntries(body.rules.map((r) => [r.record, r.keepDays])), byUserId: caller.userId }, 'Retention policy changed');
    return this.policy();
  }

  /**
   * One run of the policy: for each record the job applies, deletes what is older than its
   * period, `batch` rows a statement until none is left. Idempotent (a second run finds nothing),
   * and safe beside another run (rows another holds are skipped). Closed cycles' personal data is
   * released rather than deleted (CycleReleasesService), the history keeping its proof.
   */
  async apply(batch = RETENTION_BATCH): Promise<RetentionCounts> {
    const started = this.clock.now();
    const policy = await this.policy();
    const counts = {} as RetentionCounts;
    for (const rule of policy) {
      if (rule.record === 'closedCyclePersonalData') {
        // Released, not deleted: the history keeps its digests and verifies (docs/data-protection.md).
        const before = new Date(started.getTime() - rule.keepDays * DAY_MS);
        const reason = `Retention: personal data of cycles closed more than ${rule.keepDays} days ago`;
        // A few cycles a transaction: each release rewrites a cycle's entries and snapshot under its lock.
        const perTransaction = Math.min(batch, 20);
        let cycles = 0;
        for (;;) {
          const n = await this.releases.releaseClosedBefore(before, perTransaction, reason);
          cycles += n;
          if (n < perTransaction) break;
        }
        counts.closedCyclePersonalData = cycles;
        continue;
      }
      if (rule.appliedBy !== 'job') continue;
      const record = rule.record as JobRecord;
      if (!(record in RETENTION_APPLIERS)) continue;
      const before = new Date(started.getTime() - rule.keepDays * DAY_MS);
      let total = 0;
      for (;;) {
        const n = await this.rules.deleteBatch(record, before, batch);
        total += n;
        if (n < batch) break;
      }
      counts[record] = total;
    }
    this.logger.log(
      { counts, at: started.toISOString(), tookMs: this.clock.now().getTime() - started.getTime() },
      `Retention applied: ${Object.values(counts).reduce((a, b) => a + b, 0)} records deleted`,
    );
    return counts;
  }
}
