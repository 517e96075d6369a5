/** The notifications' rows: written, paged, counted, and routed to email or the digest with each delivery logged. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { EmailStatus, NotificationDeliveryEntity, NotificationEntity } from './notification.entity';

/** The mail pass's batch: its order is `notifications_email_queue_idx`'s (a test reads its plan). */
export const EMAIL_PENDING_SQL = `SELECT id, user_id AS "userId", email_status AS "emailStatus", kind FROM notifications
  WHERE email_status = 'pending' ORDER BY (kind LIKE 'account.%') DESC, created_at, id LIMIT $1`;

@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async notify(rows: (Pick<NotificationEntity, 'userId' | 'kind' | 'cycleId' | 'milestoneId' | 'text' | 'dedupeKey'> & Partial<NotificationEntity>)[]): Promise<void> {
    if (!rows.length) return;
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(NotificationEntity)
      .values(rows.map((r) => ({ link: r.cycleId ? `/cycles/${r.cycleId}` : null, ...r })))
      .orIgnore()
      .execute();
  }

  page(userId: string, before: { createdAt: string; id: string } | undefined, limit: number): Promise<NotificationEntity[]> {
    const query = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(limit);
    if (before) query.andWhere('(n.created_at, n.id) < (:createdAt::timestamptz, :id::uuid)', before);
    return query.getMany();
  }

  async cursor(userId: string, id: string): Promise<{ createdAt: string; id: string } | undefined> {
    const rows: { created_at: string }[] = await this.dataSource.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at FROM notifications WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? { createdAt: rows[0].created_at, id } : undefined;
  }

  async unreadCount(userId: string): Promise<number> {
    return this.dataSource.getRepository(NotificationEntity).count({ where: { userId, readAt: IsNull() } });
  }

  /**
   * New notifications not yet routed to an email or a digest, oldest first, but news of an account
   * itself (a lockout) before any backlog of work: it must not wait behind it. Read in that order from
   * `notifications_email_queue_idx`, so a backlog of millions costs a batch what a few rows do.
   */
  emailPending(limit: number): Promise<Pick<NotificationEntity, 'id' | 'userId' | 'emailStatus' | 'kind'>[]> {
    return this.dataSource.query(EMAIL_PENDING_SQL, [limit]);
  }

  async setEmailStatus(ids: string[], status: EmailStatus): Promise<void> {
    if (!ids.length) return;
    await this.dataSource.query(`UPDATE notifications SET email_status = $2 WHERE id = ANY($1::uuid[]) AND email_status IN ('pending', 'digest')`, [ids, status]);
  }

  /** The notification, if it still waits to be emailed on its own. */
  emailToSend(id: string): Promise<NotificationEntity | null> {
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id, emailStatus: 'pending' });
  }

  /** People with notifications waiting for their daily digest. */
  async digestRecipients(): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(`SELECT DISTINCT user_id FROM notifications WHERE email_status = 'digest' ORDER BY user_id`);
    return rows.map((r) => r.user_id);
  }

  digestItems(userId: string): Promise<NotificationEntity[]> {
    return this.dataSource.getRepository(NotificationEntity).find({ where: { userId, emailStatus: 'digest' }, order: { createdAt: 'ASC', id: 'ASC' }, take: 200 });
  }

  /**
   * Logs a try for each notification and, in the same statement, settles its email state: sent,
   * skipped or failed (a refusal leaves it waiting for the next try).
   */
  async recordDelivery(ids: string[], channel: 'email' | 'digest', status: 'sent' | 'refused' | 'failed' | 'skipped', attempt: number, detail: string | null): Promise<void> {
    await this.dataSource.query(
      `WITH logged AS (
         INSERT INTO notification_deliveries (notification_id, channel, status, attempt, detail)
         SELECT id, $2, $3, $4, $5 FROM unnest($1::uuid[]) AS id)
       UPDATE notifications SET email_status = CASE $3 WHEN 'refused' THEN email_status ELSE $3 END
       WHERE id = ANY($1::uuid[]) AND email_status IN ('pending', 'digest')`,
      [ids, channel, status, attempt, detail],
    );
  }

  /** The delivery log of a person's notification, oldest first. */
  deliveries(notificationId: string): Promise<NotificationDeliveryEntity[]> {
    return this.dataSource.getRepository(NotificationDeliveryEntity).find({ where: { notificationId }, order: { at: 'ASC', id: 'ASC' } });
  }

  /** Tasks still waiting for the user. */
  async openCount(userId: string): Promise<number> {
    return this.dataSource.getRepository(NotificationEntity).count({ where: { userId, state: 'open', taskKey: Not(IsNull()) } });
  }

  async markRead(userId: string, id: string): Promise<NotificationEntity | null> {
    await this.dataSource.query(`UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2`, [id, userId]);
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id, userId });
  }
}
