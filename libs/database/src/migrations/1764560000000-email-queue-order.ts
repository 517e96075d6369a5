import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail pass reads what waits to be routed in its own order, news of an account first, then
 * oldest first (issue 38): over `notifications_email_pending_idx` (created_at) that order sorted every
 * pending row for each batch, 1.0–1.4 s a batch with two million pending in the national bench. This
 * index is that order, over the pending rows only.
 */
export class EmailQueueOrder1764560000000 implements MigrationInterface {
  name = 'EmailQueueOrder1764560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "notifications_email_queue_idx" ON "notifications" (("kind" LIKE 'account.%') DESC, "created_at", "id") WHERE "email_status" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "notifications_email_queue_idx"`);
  }
}
