/** The retention policy's rows, and the owners' statements that delete one batch of expired records. */
import { Injectable } from '@nestjs/common';
import { FeatureRepository } from '@app/database';
import { WEB_SESSIONS_EXPIRED } from '@app/accounts/accounts.fragment';
import { CYCLE_INVITATIONS_EXPIRED } from '@app/cycles/cycles.fragment';
import { EMAIL_DELIVERIES_EXPIRED, NOTIFICATIONS_EXPIRED } from '@app/notifications/notifications.fragment';
import { WEBHOOK_DELIVERIES_EXPIRED } from '@app/webhooks/webhook-deliveries.fragment';
import { RetentionRuleEntity } from './retention-rule.entity';
import type { RetentionRecord } from './retention.policy';

/** The records the retention job deletes itself (the erasure's rules are not here: see retention.policy.ts). */
export type JobRecord = Exclude<RetentionRecord, 'closedCyclePersonalData'>;

/**
 * Each record the job deletes, and the statement its owner exports for one batch (`$1` the
 * cut-off, `$2` the batch's size): no other feature's table is named here.
 */
export const RETENTION_APPLIERS: Record<JobRecord, string> = {
  notifications: NOTIFICATIONS_EXPIRED('$1', '$2'),
  emailDeliveries: EMAIL_DELIVERIES_EXPIRED('$1', '$2'),
  webhookDeliveries: WEBHOOK_DELIVERIES_EXPIRED('$1', '$2'),
  webSessions: WEB_SESSIONS_EXPIRED('$1', '$2'),
  invitations: CYCLE_INVITATIONS_EXPIRED('$1', '$2'),
};

@Injectable()
export class RetentionRepository extends FeatureRepository {
  rules(): Promise<RetentionRuleEntity[]> {
    return this.manager.getRepository(RetentionRuleEntity).find();
  }

  /**
   * Sets every rule given in one statement, inside the transaction under way; a rule whose days
   * do not change keeps its date and author.
   */
  async setRules(rules: { record: RetentionRecord; keepDays: number }[], byUserId: string, at: Date): Promise<void> {
    await this.manager.query(
      `INSERT INTO retention_rules (record, keep_days, updated_at, updated_by_user_id)
       SELECT r.record, r."keepDays", $2, $3 FROM jsonb_to_recordset($1::jsonb) AS r(record text, "keepDays" int)
       ON CONFLICT (record) DO UPDATE SET keep_days = EXCLUDED.keep_days, updated_at = EXCLUDED.updated_at, updated_by_user_id = EXCLUDED.updated_by_user_id
       WHERE retention_rules.keep_days <> EXCLUDED.keep_days`,
      [JSON.stringify(rules), at, byUserId],
    );
  }

  /** Deletes one batch of `record` older than `before`; answers how many went. */
  async deleteBatch(record: JobRecord, before: Date, limit: number): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(RETENTION_APPLIERS[record], [before, limit]);
    return row.n;
  }
}
