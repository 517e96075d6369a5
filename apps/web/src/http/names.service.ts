import { Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import type { Names } from '../cycles/cycle-page';

/** Names of organisations and users, read once per page for every id it shows. */
@Injectable()
export class NamesService {
  constructor(private readonly accounts: AccountsService) {}

  async of(organisationIds: (string | null)[], userIds: (string | null)[]): Promise<Names> {
    const present = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => !!id))];
    const [orgs, users] = await Promise.all([
      this.accounts.findOrganisations(present(organisationIds)),
      this.accounts.findUsers(present(userIds)),
    ]);
    const orgNames = new Map(orgs.map((o) => [o.id, o.name]));
    const userNames = new Map(users.map((u) => [u.id, u.name]));
    return {
      org: (id) => (id ? (orgNames.get(id) ?? 'an organisation') : 'the system'),
      user: (id) => (id ? (userNames.get(id) ?? 'a user') : 'the system'),
    };
  }
}
