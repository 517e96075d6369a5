/** Organisations leaving a partnership, refused while they co-own one of its unfinished cycles. */
import { Injectable } from '@nestjs/common';
import { Principal } from '@app/accounts';
import { Transactions } from '@app/database';
import { Decided, PartnershipGovernanceService, PartnershipsService } from '@app/partnerships';
import { CycleListsRepository } from './cycle-lists.repository';

/** Organisations leave a partnership, but not while they co-own one of its unfinished cycles. */
@Injectable()
export class PartnershipMembersService {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly governance: PartnershipGovernanceService,
    private readonly cycles: CycleListsRepository,
    private readonly transactions: Transactions,
  ) {}

  /**
   * 409 naming the unfinished cycles it co-owns; the partnership's row is held while it is checked.
   * An invitation (INVITE_CO_OWNER) reads membership without that lock: one racing this removal
   * could still make the leaving organisation a co-owner. Narrow, and visible (the cycle then names
   * a non-member); closing it means the invitation taking the partnership's row too.
   */
  async remove(principal: Principal, partnershipId: string, organisationId: string): Promise<Decided> {
    const decided = await this.transactions.run(() => this.governance.removeMember(principal, partnershipId, organisationId, () => this.cycles.unfinishedCoOwnedBy(partnershipId, organisationId)));
    await this.governance.tell(partnershipId, decided.entries);
    return decided;
  }
}
