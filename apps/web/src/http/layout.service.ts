import { Injectable } from '@nestjs/common';
import { WebSession } from '@app/accounts';
import { NotificationsService } from '@app/notifications';

export interface Layout {
  user?: { id: string; name: string; email: string; organisationName: string | null; isAdmin: boolean; isLead: boolean };
  csrfToken?: string;
  unread: number;
}

/** What every page's frame shows: who is signed in, the form token, unread notifications. */
@Injectable()
export class LayoutService {
  constructor(private readonly notifications: NotificationsService) {}

  async of(session: WebSession | undefined): Promise<Layout> {
    if (!session) return { unread: 0 };
    const { user } = session;
    const unread = await this.notifications.unreadCount(user.id);
    return {
      user: { id: user.id, name: user.name, email: user.email, organisationName: user.organisation?.name ?? null, isAdmin: user.role === 'admin', isLead: user.role === 'lead' },
      csrfToken: session.csrfToken,
      unread,
    };
  }
}
