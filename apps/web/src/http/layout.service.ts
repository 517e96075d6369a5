/** What every page's frame shows: who is signed in, the form token and unread notifications. */
import { Injectable } from '@nestjs/common';
import { WebSession } from '@app/accounts';

export interface Layout {
  user?: { id: string; name: string; email: string; organisationName: string | null; isAdmin: boolean; isLead: boolean };
  csrfToken?: string;
  unread: number;
}

/**
 * What every page's frame shows: who is signed in, the form token, unread notifications (counted
 * with the session's read, at the start of the request: one round trip fewer on every page).
 */
@Injectable()
export class LayoutService {
  async of(session: WebSession | undefined): Promise<Layout> {
    if (!session) return { unread: 0 };
    const { user, unread } = session;
    return {
      user: { id: user.id, name: user.name, email: user.email, organisationName: user.organisation?.name ?? null, isAdmin: user.role === 'admin', isLead: user.role === 'lead' },
      csrfToken: session.csrfToken,
      unread,
    };
  }
}
