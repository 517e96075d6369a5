/** What needs two commissioner members (archiving, removing a member), the proposals that wait for the second, and the partnership's chained history. */
import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@app/accounts';
import { CLOCK } from '@app/config';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused } from '@app/domain';
import { Transactions } from '@app/database';
import type { ChainHead, ChainVerdict } from '@app/history';
import { PartnershipHistoryEntity, PartnershipProposalEntity } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipHistoryRepository } from './partnership-history.repository';
import { Decided, PartnershipDecisionsService } from './partnership-decisions.service';
import { ARCHIVED, PartnershipsService } from './partnerships.service';

@Injectable()
export class PartnershipGovernanceService {
  constructor(
    private readonly access: PartnershipsService,
    private readonly partnerships: PartnershipsRepository,
    private readonly history: PartnershipHistoryRepository,
    private readonly decisions: PartnershipDecisionsService,
    private readonly transactions: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Archives it (a commissioner member): read-only from then on. In the caller's transaction,
   * which cancels its milestones; 409 when it already is.
   */
  async archive(principal: Principal, id: string, at: Date): Promise<Decided> {
    await this.access.requireCommissionerMember(principal, id, 'archive the partnership');
    if (await this.partnerships.archivedAt(id, true)) throw new Conflict(ARCHIVED);
    const decided = await this.decisions.agreedByTwo(principal, id, 'archive', null, at);
    if (!decided.done) return decided;
    decided.entries.push(...(await this.decisions.record(principal, id, at, [{ type: 'ARCHIVED', payload: decided.proposal ? { proposalId: decided.proposal.id } : { alone: true } }])));
    await this.partnerships.archive(id, principal.userId, at);
    return decided;
  }

  /**
   * Removes a member organisation (a commissioner member), in the caller's transaction; `unfinished`
   * answers the titles of the unfinished cycles it co-owns (the refusal names them). A partnership
   * keeps at least one commissioner member.
   */
  async removeMember(principal: Principal, id: string, organisationId: string, unfinished: () => Promise<string[]>): Promise<Decided> {
    await this.access.requireCommissionerMember(principal, id, 'remove member organisations');
    await this.partnerships.archivedAt(id, true); // held until the removal commits
    const members = await this.partnerships.memberKinds(id);
    if (!members.some((m) => m.organisationId === organisationId)) throw new NotFound('member');
    if (!members.some((m) => m.organisationId !== organisationId && m.kind === 'commissioner')) {
      throw new TransitionRefused('A partnership keeps at least one commissioner member: invite another before this one leaves.');
    }
    const cycles = await unfinished();
    if (cycles.length) {
      throw new Conflict(`The organisation still co-owns unfinished cycles: ${cycles.map((t) => `“${t}”`).join(', ')}. It must leave them, or they must end, first.`);
    }
    const at = this.clock.now();
    const decided = await this.decisions.agreedByTwo(principal, id, 'remove_member', organisationId, at);
    if (!decided.done) return decided;
    await this.partnerships.removeMember(id, organisationId);
    decided.entries.push(
      ...(await this.decisions.record(principal, id, at, [{ type: 'MEMBER_REMOVED', payload: { organisationId, ...(decided.proposal ? { proposalId: decided.proposal.id } : { alone: true }) } }])),
    );
    return decided;
  }

  /** Tells the people concerned what the entries (an archive's or a removal's, once committed) record. */
  tell(id: string, entries: PartnershipHistoryEntity[]): Promise<void> {
    return this.decisions.tell(id, entries);
  }

  /** The open proposal another commissioner member may agree to: 404 when there is none, 422 when it is the caller's organisation's own or no longer open. */
  async proposalToAgree(principal: Principal, id: string, proposalId: string): Promise<PartnershipProposalEntity> {
    await this.access.requireCommissionerMember(principal, id, 'agree to proposals');
    const proposal = await this.history.findProposal(id, proposalId);
    if (!proposal) throw new NotFound('proposal');
    if (proposal.state !== 'open') throw new TransitionRefused(`The proposal was ${proposal.state} already.`);
    if (proposal.proposedByOrganisationId === principal.organisationId) {
      throw new TransitionRefused('Your organisation proposed it: a commissioner member of another organisation agrees to it.');
    }
    return proposal;
  }

  /** The proposer's organisation withdraws its open proposal (recorded). */
  async withdrawProposal(principal: Principal, id: string, proposalId: string): Promise<void> {
    await this.access.requireCommissionerMember(principal, id, 'withdraw proposals');
    const at = this.clock.now();
    const entries = await this.transactions.run(async () => {
      await this.partnerships.archivedAt(id, true);
      const proposal = await this.history.findProposal(id, proposalId);
      if (!proposal) throw new NotFound('proposal');
      if (proposal.proposedByOrganisationId !== principal.organisationId) throw new Forbidden('Only the organisation that proposed it withdraws a proposal.');
      if (proposal.state !== 'open') throw new TransitionRefused(`The proposal was ${proposal.state} already.`);
      await this.history.settle(proposal.id, 'withdrawn', principal.userId, principal.organisationId, at);
      return this.decisions.record(principal, id, at, [
        { type: 'PROPOSAL_WITHDRAWN', payload: { proposalId, action: proposal.action, ...(proposal.organisationId && { organisationId: proposal.organisationId }) } },
      ]);
    });
    await this.decisions.tell(id, entries);
  }

  /** Its proposals, open ones first (a member, or an admin, reads them). */
  async proposals(principal: Principal, id: string): Promise<PartnershipProposalEntity[]> {
    await this.access.requireVisible(principal, id);
    return this.history.proposals(id);
  }

  /** Its chained history, oldest first (a member, or an admin, reads it). */
  async historyOf(principal: Principal, id: string): Promise<PartnershipHistoryEntity[]> {
    await this.access.requireVisible(principal, id);
    return this.history.entries(id);
  }

  /** The head the partnership's row keeps now and its entries up to it, in pages, for the offline audit's export (404 when the caller may not see it). */
  async historyExport(principal: Principal, id: string): Promise<{ head: ChainHead; pages: AsyncGenerator<PartnershipHistoryEntity[]> }> {
    await this.access.requireVisible(principal, id);
    const found = await this.history.exportOf(id);
    if (!found) throw new NotFound('partnership');
    return found;
  }

  async verifyHistory(principal: Principal, id: string): Promise<ChainVerdict> {
    await this.access.requireVisible(principal, id);
    return this.history.verify(id);
  }
}
