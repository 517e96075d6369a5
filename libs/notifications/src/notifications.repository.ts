import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { NotificationEntity } from './notification.entity';

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

  /** Tasks still waiting for the user. */
  async openCount(userId: string): Promise<number> {
    return this.dataSource.getRepository(NotificationEntity).count({ where: { userId, state: 'open', taskKey: Not(IsNull()) } });
  }

  async markRead(userId: string, id: string): Promise<NotificationEntity | null> {
    await this.dataSource.query(`UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2`, [id, userId]);
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id, userId });
  }
}
