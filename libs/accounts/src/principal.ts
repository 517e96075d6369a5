/** Who is acting, as every service trusts it once a token is verified. */
import { OrganisationKind } from './organisation.entity';
import { UserEntity, UserRole } from './user.entity';

/** Who is acting: read from a verified token, trusted by every service. */
export interface Principal {
  userId: string;
  role: UserRole;
  organisationId: string | null;
  organisationKind: OrganisationKind | null;
  /** The user's session generation the token or session was issued in (see UserEntity.sessionGeneration). */
  generation: number;
  /** Set when a personal access token acts (a `read` one may not write); absent for sign-ins. */
  tokenScope?: 'read' | 'write';
}

export const principalOf = (user: UserEntity): Principal => ({
  userId: user.id,
  role: user.role,
  organisationId: user.organisationId,
  organisationKind: user.organisation?.kind ?? null,
  generation: user.sessionGeneration,
});

export const isAdmin = (p: Principal): boolean => p.role === 'admin';
