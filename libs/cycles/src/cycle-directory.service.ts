/** Looking up who a cycle's people rules read about: the partnership's members and outcomes, and the people named. */
import { Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { CycleContext, Directory, OrganisationKind, peopleOf } from '@app/domain';
import { PartnershipsService } from '@app/partnerships';

/**
 * Looks up what the rules about a cycle's people read (cycle.people.ts): the partnership's members
 * and outcomes, and the people named, with their organisations. Asked for by the catalogue's
 * entries that say `directory: true`, and by a new cycle.
 */
@Injectable()
export class CycleDirectory {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
  ) {}

  async of(partnershipId: string, userIds: string[]): Promise<Directory> {
    const ids = [...new Set(userIds)];
    const [aggregate, users] = await Promise.all([this.partnerships.load(partnershipId), this.accounts.findUsers(ids)]);
    const members = aggregate.members.map((m) => ({ organisationId: m.organisationId, kind: m.organisation?.kind ?? 'community' }));
    const outcomes = aggregate.outcomes;
    const organisations = await this.accounts.findOrganisations([...new Set([...users.flatMap((u) => (u.organisationId ? [u.organisationId] : [])), ...members.map((m) => m.organisationId)])]);
    const kindOf = new Map(organisations.map((o) => [o.id, o.kind]));
    return {
      members: Object.fromEntries(members.map((m) => [m.organisationId, m.kind as OrganisationKind])),
      users: Object.fromEntries(
        users.map((u) => [
          u.id,
          { name: u.name, organisationId: u.organisationId, kind: (u.organisationId && kindOf.get(u.organisationId)) || null, active: u.active, ...(u.role === 'guest' ? { guest: true } : {}) },
        ]),
      ),
      outcomes: Object.fromEntries(outcomes.map((o) => [o.id, o.metrics.map((m) => ({ id: m.id, name: m.name }))])),
      organisationNames: Object.fromEntries(organisations.map((o) => [o.id, o.name])),
      onTheTable: Object.fromEntries(aggregate.declarations.map((d) => [d.organisationId, d.on])),
    };
  }

  /** For an event: the people its fields name (`…UserIds`) and the cycle's own panel and facilitators. */
  forEvent(partnershipId: string, context: CycleContext, fields: Record<string, unknown>): Promise<Directory> {
    const named = Object.entries(fields).flatMap(([name, value]) => (name.endsWith('UserIds') && Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []));
    return this.of(partnershipId, [...named, ...peopleOf(context)]);
  }
}
