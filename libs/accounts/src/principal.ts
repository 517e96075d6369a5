import { OrganisationKind } from './organisation.entity';
import { UserRole } from './user.entity';

/** Who is acting: read from a verified token, trusted by every service. */
export interface Principal {
  userId: string;
  role: UserRole;
  organisationId: string | null;
  organisationKind: OrganisationKind | null;
}

export const isAdmin = (p: Principal): boolean => p.role === 'admin';
