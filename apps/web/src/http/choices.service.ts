/** What the forms naming a cycle's people choose among: organisations, active users and outcomes. */
import { Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import type { FormChoices } from '../cycles/forms';
import type { PartnershipAggregate } from '@app/partnerships';

/**
 * What the forms that name a cycle's people choose among: the partnership's organisations, the
 * active users of its members and of independent facilitators, and its outcomes.
 */
@Injectable()
export class ChoicesService {
  constructor(private readonly accounts: AccountsService) {}

  async of(aggregate: PartnershipAggregate): Promise<FormChoices> {
    const organisations = aggregate.members.map((m) => ({ id: m.organisationId, name: m.organisation?.name ?? m.organisationId, kind: m.organisation?.kind ?? 'community' }));
    const { ofOrganisations, ofKind } = await this.accounts.choosableUsers(
      aggregate.members.map((m) => m.organisationId),
      'facilitator',
    );
    const seen = new Set<string>();
    const users = [...ofOrganisations, ...ofKind]
      .filter((u) => u.active && !seen.has(u.id) && seen.add(u.id))
      .map((u) => ({ id: u.id, name: u.name, organisationId: u.organisationId, organisationName: u.organisationName ?? '' }));
    return {
      organisations,
      users,
      outcomes: aggregate.outcomes.map((o) => ({ id: o.id, title: o.title })),
      onTheTable: Object.fromEntries(aggregate.declarations.filter((d) => d.on.length).map((d) => [d.organisationId, d.on])),
    };
  }
}
