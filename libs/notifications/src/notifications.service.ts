/** What people are told: written once (deduplicated), listed and marked read. */
import { Injectable } from '@nestjs/common';
import { NotFound, ValidationFailed } from '@app/domain';
import { NotificationEntity } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';

export type NewNotification = Pick<NotificationEntity, 'userId' | 'kind' | 'cycleId' | 'milestoneId' | 'text' | 'dedupeKey'> & Partial<Pick<NotificationEntity, 'link' | 'taskKey'>>;

/** What people are told: written once (a dedupe key makes a repeat a no-op), listed, read. Tasks' notifications are written by the writes that open and close them (task-notifications.fragment.ts). */
@Injectable()
export class NotificationsService {
  constructor(private readonly notifications: NotificationsRepository) {}

  /** Tells each person once: a notification whose dedupe key the person already has is left out. */
  notify(rows: NewNotification[]): Promise<void> {
    return this.notifications.notify(rows);
  }

  /** How many of the user's notifications are unread (the web app's header shows it). */
  unreadCount(userId: string): Promise<number> {
    return this.notifications.unreadCount(userId);
  }

  async page(userId: string, limit: number, cursor?: string): Promise<{ items: NotificationEntity[]; nextCursor: string | null; unread: number; open: number }> {
    let before: { createdAt: string; id: string } | undefined;
    if (cursor) {
      before = await this.notifications.cursor(userId, cursor);
      if (!before) throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor this list gave out' }]);
    }
    const rows = await this.notifications.page(userId, before, limit + 1);
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? items[items.length - 1].id : null,
      unread: await this.notifications.unreadCount(userId),
      open: await this.notifications.openCount(userId),
    };
  }

  async markRead(userId: string, id: string): Promise<NotificationEntity> {
    const notification = await this.notifications.markRead(userId, id);
    if (!notification) throw new NotFound('notification');
    return notification;
  }
}
