import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { AccountsService, OrganisationKind, Principal } from '@app/accounts';
import { loadConfig } from '@app/config';
import { CycleCreationService } from '@app/cycles';
import { PartnershipInvitationsService, PartnershipsService } from '@app/partnerships';

/**
 * A commissioner and a provider in a partnership of their own, made through the services (no
 * HTTP), and a way to open cycles between them: the data of a medium test.
 */
export async function servicesCollaboration(app: INestApplicationContext) {
  const accounts = app.get(AccountsService);
  // The run's tests share one database, and the API creates its admin only while no user exists:
  // the admin comes first here too, whichever test file starts first.
  const { admin } = loadConfig();
  await accounts.bootstrapAdmin(admin);
  const person = async (kind: OrganisationKind): Promise<Principal> => {
    const organisation = await accounts.createOrganisation(`${kind} ${randomUUID()}`, kind);
    const user = await accounts.createUser({ email: `${randomUUID()}@example.org`, name: 'Someone', password: 'a long password for tests', organisationId: organisation.id });
    return { userId: user.id, role: 'member', organisationId: organisation.id, organisationKind: kind, generation: 0 };
  };
  const council = await person('commissioner');
  const charity = await person('provider');
  const partnerships = app.get(PartnershipsService);
  const partnership = await partnerships.create(council, { name: `Medium ${randomUUID()}`, memberOrganisationIds: [charity.organisationId!] });
  // The charity joins: a platform admin accepts its invitation.
  const adminUser = (await accounts.listUsers()).find((u) => u.role === 'admin')!;
  await app
    .get(PartnershipInvitationsService)
    .answerInvitation({ userId: adminUser.id, role: 'admin', organisationId: null, organisationKind: null, generation: 0 }, partnership.partnership.id, charity.organisationId!, 'accepted');
  const partnershipId = partnership.partnership.id;
  return {
    council,
    charity,
    partnershipId,
    /** A draft cycle of the two, with the provider's user on its panel. */
    async newCycle(): Promise<string> {
      const record = await app.get(CycleCreationService).create(council, {
        partnershipId,
        title: 'Staying well',
        commissionerOrganisationIds: [],
        providerOrganisationIds: [charity.organisationId!],
        panelUserIds: [charity.userId],
      });
      return record.row.id;
    },
  };
}
