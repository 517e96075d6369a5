/**
 * A cycle's people: its co-owner organisations, review panel and facilitators. The rules that
 * hold whenever they are set (at creation, in a draft's edit, when the panel or facilitators
 * change, when an organisation is invited or leaves) read the partnership and the people named
 * from a `Directory` the service looks up before it decides: the rules stay pure.
 */
import type { CoOwner, CoOwnerRole } from './cycle.types';

export const ORGANISATION_KINDS = ['commissioner', 'provider', 'community', 'facilitator'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** What the rules about people need to know beyond the cycle, looked up when an event is sent. */
export interface Directory {
  /** The partnership's member organisations, by id, with their kinds. */
  members: Record<string, OrganisationKind>;
  /** Their names, for refusals in words ("Northshire County Council pledged £40,000.00…"). */
  organisationNames?: Record<string, string>;
  /** What each member's latest declaration puts on the table. */
  onTheTable?: Record<string, string[]>;
  /** The people the event or the cycle names: their organisation, its kind and whether they may still act. */
  users: Record<string, { name: string; organisationId: string | null; kind: OrganisationKind | null; active: boolean; guest?: boolean }>;
  /** The partnership's outcomes, by id, with their metrics. */
  outcomes: Record<string, { id: string; name: string }[]>;
}

export interface Team {
  coOwners: CoOwner[];
  panelUserIds: string[];
  facilitatorUserIds: string[];
}

export interface TeamProblem {
  field: string;
  message: string;
}

/** The organisations that co-own the cycle (in one role, where given). */
export const coOwnerIds = (c: { coOwners: CoOwner[] }, role?: CoOwnerRole) => c.coOwners.filter((o) => !role || o.role === role).map((o) => o.organisationId);

export const ROLE_FIELDS: Record<CoOwnerRole, 'commissionerOrganisationIds' | 'providerOrganisationIds' | 'communityOrganisationIds'> = {
  commissioner: 'commissionerOrganisationIds',
  provider: 'providerOrganisationIds',
  community: 'communityOrganisationIds',
};

/** Whether an organisation of this kind may co-own a cycle in this role; the refusal when not. */
export function roleRefuses(organisationId: string, role: CoOwnerRole, directory: Directory): string | undefined {
  const kind = directory.members[organisationId];
  if (!kind) return `${organisationId} is not a member of the partnership`;
  if (kind === 'facilitator') return `${organisationId} is an independent facilitator and cannot co-own a cycle`;
  if (role === 'commissioner' && kind !== 'commissioner') return `${organisationId} is a ${kind} organisation, not a commissioner`;
  if (role !== 'commissioner' && kind === 'commissioner') return `${organisationId} is a commissioner; name it among the commissioners`;
  return undefined;
}

/**
 * Every problem with a team, by field: co-owners that are not members or not of a kind for their
 * role, an organisation in two roles, no commissioner, panel members who are not active users of
 * member organisations, facilitators who are not active users of a member or of an independent
 * facilitator organisation, or who belong to an organisation that co-owns the cycle.
 */
export function teamProblems(team: Team, directory: Directory): TeamProblem[] {
  const problems: TeamProblem[] = [];
  const seen = new Set<string>();
  for (const { organisationId, role } of team.coOwners) {
    const refused = roleRefuses(organisationId, role, directory);
    if (refused) problems.push({ field: ROLE_FIELDS[role], message: refused });
    else if (seen.has(organisationId)) problems.push({ field: ROLE_FIELDS[role], message: `${organisationId} already has another role in this cycle` });
    seen.add(organisationId);
  }
  if (!team.coOwners.some((c) => c.role === 'commissioner')) {
    problems.push({ field: 'commissionerOrganisationIds', message: 'a cycle needs at least one commissioner' });
  }
  const person = (id: string) => directory.users[id];
  const unusable = (ids: string[], fits: (u: NonNullable<ReturnType<typeof person>>) => boolean) =>
    [...new Set(ids)].filter((id) => {
      const user = person(id);
      return !user || !user.active || !fits(user);
    });
  // A guest (a resident invited to this cycle's panel) belongs to no organisation.
  const panelOutside = unusable(team.panelUserIds, (u) => u.guest === true || (u.organisationId !== null && directory.members[u.organisationId] !== undefined));
  if (panelOutside.length) problems.push({ field: 'panelUserIds', message: `not active users of member organisations: ${panelOutside.join(', ')}` });
  const facilitatorsOutside = unusable(team.facilitatorUserIds, (u) => u.organisationId !== null && (directory.members[u.organisationId] !== undefined || u.kind === 'facilitator'));
  if (facilitatorsOutside.length) {
    problems.push({
      field: 'facilitatorUserIds',
      message: `not active users of member organisations or of an independent facilitator: ${facilitatorsOutside.join(', ')}`,
    });
  }
  const coOwning = new Set(team.coOwners.map((c) => c.organisationId));
  const partial = [...new Set(team.facilitatorUserIds)].filter((id) => {
    const organisationId = person(id)?.organisationId;
    return organisationId && coOwning.has(organisationId);
  });
  if (partial.length) {
    problems.push({
      field: 'facilitatorUserIds',
      message: `a facilitator must be neutral: ${partial.map((id) => person(id)!.name).join(', ')} belongs to an organisation that co-owns the cycle`,
    });
  }
  return problems;
}

/** Whether a cycle's co-owners still make it collaborative: a commissioner and a provider or community. */
export function coOwnersRefuse(coOwners: CoOwner[]): string | undefined {
  if (!coOwners.some((c) => c.role === 'commissioner')) return 'A cycle always keeps at least one commissioner co-owner.';
  if (!coOwners.some((c) => c.role !== 'commissioner')) return 'A cycle always keeps at least one provider or community co-owner.';
  return undefined;
}

/** The user ids a team names, for the directory to look up. */
export const peopleOf = (team: Pick<Team, 'panelUserIds' | 'facilitatorUserIds'>): string[] => [...new Set([...team.panelUserIds, ...team.facilitatorUserIds])];
