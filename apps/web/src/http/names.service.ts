/** Names of the organisations and users a page shows, read once per page. */
import { Injectable } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import type { Names } from '../cycles/cycle-page';

/** Names of organisations and users, read once per page for every id it shows. */
@Injectable()
export class NamesService {
  constructor(private readonly accounts: AccountsService) {}

  async of(organisationIds: (string | null)[], userIds: (string | null)[]): Promise<Names> {
    const present = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => !!id))];
    const { organisations, users } = await this.accounts.namesOf(present(organisationIds), present(userIds));
    return {
      org: (id) => (id ? (organisations.get(id) ?? 'an organisation') : 'the system'),
      user: (id) => (id ? (users.get(id) ?? 'a user') : 'the system'),
    };
  }
}
