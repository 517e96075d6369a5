/** Inviting organisations into a partnership and their leads' answers (an organisation is a member only once it accepts). */
import { Inject, Injectable } from '@nestjs/common';
import { Principal, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused } from '@app/domain';
import { Transactions } from '@app/database';
import { PartnershipInvitationEntity } from './partnership.entity';
import { PartnershipAggregate, PartnershipsRepository } from './partnerships.repository';
import { InvitationToJoin, PartnershipInvitationsRepository } from './partnership-invitations.repository';
import { PartnershipDecisionsService } from './partnership-decisions.service';
import { ARCHIVED, PartnershipsService } from './partnerships.service';

@Injectable()
export class PartnershipInvitationsService {
  constructor(
    private readonly access: PartnershipsService,
    private readonly partnerships: PartnershipsRepository,
    private readonly invitationsOf: PartnershipInvitationsRepository,
    private readonly decisions: PartnershipDecisionsService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Invites organisations (a commissioner member): each joins when one of its leads, or an admin, accepts. */
  async addMembers(principal: Principal, id: string, organisationIds: string[]): Promise<PartnershipAggregate> {
    await this.access.requireCommissionerMember(principal, id, 'invite organisations');
    const named = [...new Set(organisationIds)];
    await this.access.requireOrganisations(named, 'organisationIds');
    const at = this.clock.now();
    const invited = await this.transactions.run(async () => {
      const invited = await this.invitationsOf.invite(id, named, principal.userId, at);
      await this.decisions.record(
        principal,
        id,
        at,
        invited.map((organisationId) => ({ type: 'INVITED', payload: { organisationId } })),
      );
      return invited;
    });
    const aggregate = await this.access.get(principal, id);
    await this.decisions.tellInvited(id, aggregate.partnership.name, invited);
    return aggregate;
  }

  /** The partnership's pending invitations (a member, or an admin, sees them). */
  async invitations(principal: Principal, id: string): Promise<PartnershipInvitationEntity[]> {
    await this.access.requireVisible(principal, id);
    return this.invitationsOf.pendingInvitations(id);
  }

  /**
   * The invitations the caller may answer: a lead's, to their own organisation; an admin's, all
   * pending ones. Anyone else has none to answer.
   */
  invitationsToAnswer(principal: Principal): Promise<InvitationToJoin[]> {
    if (isAdmin(principal)) return this.invitationsOf.invitationsTo(null);
    if (principal.role !== 'lead' || !principal.organisationId) return Promise.resolve([]);
    return this.invitationsOf.invitationsTo(principal.organisationId);
  }

  /**
   * A lead of the invited organisation, or an admin, accepts (it becomes a member) or declines.
   * 404 for anyone else of another organisation (no invitation is theirs to see), 403 for its
   * members who are not leads, 422 when it is no longer pending, 409 when the partnership is archived.
   */
  async answerInvitation(principal: Principal, id: string, organisationId: string, answer: 'accepted' | 'declined'): Promise<void> {
    if (!isAdmin(principal) && principal.organisationId !== organisationId) throw new NotFound('invitation');
    const at = this.clock.now();
    const entries = await this.transactions.run(async () => {
      const archived = await this.partnerships.archivedAt(id, true);
      const state = archived === undefined ? undefined : await this.invitationsOf.invitationState(id, organisationId);
      if (state === undefined) throw new NotFound('invitation');
      if (!isAdmin(principal) && principal.role !== 'lead') {
        throw new Forbidden('Only a lead of the invited organisation, or a platform admin, answers its invitation.');
      }
      if (archived) throw new Conflict(ARCHIVED);
      if (state !== 'pending') throw new TransitionRefused(`The invitation was ${state} already.`);
      await this.invitationsOf.decideInvitation(id, organisationId, answer, principal.userId, at);
      if (answer === 'accepted') await this.partnerships.addMembers(id, [organisationId]);
      return this.decisions.record(principal, id, at, [{ type: answer === 'accepted' ? 'INVITATION_ACCEPTED' : 'INVITATION_DECLINED', payload: { organisationId } }]);
    });
    await this.decisions.tell(id, entries);
  }
}
