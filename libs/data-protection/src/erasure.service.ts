/**
 * Erasing a person (UK GDPR article 17): what they wrote in every cycle's history is released
 * (hash scheme 4: the chain keeps its digests and verifies), each cycle touched records a
 * PERSONAL_DATA_ERASED entry, their account becomes "Former member of <organisation>" with
 * nothing left that signs them in, their notifications go and other people's name them no more.
 */
import { Injectable, Logger } from '@nestjs/common';
import { AccountsService, type Principal, isAdmin } from '@app/accounts';
import { Transactions } from '@app/database';
import { AgreementReleasesService } from '@app/agreements';
import { CycleReleasesService } from '@app/cycles';
import { CYCLE_INVITATIONS_OF_ERASED } from '@app/cycles/cycles.fragment';
import { EvidenceErasure } from '@app/evidence';
import { COMMENTS_OF_ERASED } from '@app/conversation/conversation.fragment';
import { Forbidden, TransitionRefused, ValidationFailed } from '@app/domain';
import { HANDOVERS_NAMING_ERASED, NOTIFICATIONS_OF_ERASED, OPEN_TASKS_OF } from '@app/notifications/notifications.fragment';

/** What an erasure did. */
export interface Erased {
  id: string;
  name: string;
  cycleIds: string[];
  /** The partnerships whose agreement's history recorded the erasure (the partnerships' own histories hold no prose). */
  agreementPartnershipIds: string[];
  /** How many fields of their history entries lost their text. */
  released: number;
  /** Their entries of hash schemes 1–3, whose texts the chain commits to and which stay (docs/data-protection.md). */
  retained: number;
}

@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly releases: CycleReleasesService,
    private readonly agreements: AgreementReleasesService,
    private readonly transactions: Transactions,
    private readonly evidence: EvidenceErasure,
  ) {}

  /** Erases the person `id` (an admin's act, with a reason); refused, with what to do first, for the last admin or a person with open tasks. */
  async erase(admin: Principal, id: string, input: { reason?: unknown }): Promise<Erased> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason || reason.length > 2000) throw new ValidationFailed([{ field: 'reason', message: 'must say why, in 1 to 2000 characters' }]);
    if (!isAdmin(admin)) throw new Forbidden('Only a platform admin erases a person.');
    const user = await this.accounts.getUser(id);
    const actor = { userId: admin.userId, organisationId: admin.organisationId, representative: false };
    const result = await this.transactions.run(async () => {
      const m = this.transactions.manager;
      // Checked under locks: two admins erasing each other at once leave one; a task opened meanwhile waits.
      await m.query(`SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE`);
      await m.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (user.role === 'admin' && (await this.accounts.otherActiveAdmins(id)) === 0) {
        throw new TransitionRefused(`${id === admin.userId ? 'You are' : 'This person is'} the last active platform admin: make another person an admin first.`);
      }
      const [{ open }]: { open: number }[] = await m.query(OPEN_TASKS_OF('$1'), [id]);
      if (open) {
        throw new TransitionRefused(`This person has ${open} open task${open === 1 ? '' : 's'}: hand their work to a colleague (or finish it) before erasing them.`);
      }
      const fromCycles = await this.releases.eraseAuthor(id, actor, reason);
      // Their comments keep their place in threads, their bodies "[erased]"; others' mentions of their address go too.
      await m.query(COMMENTS_OF_ERASED('$1', '$2'), [id, user.email]);
      // The files they uploaded: names "[erased]", bytes dropped, each sha256 kept (in the row and the history).
      await this.evidence.eraseUploader(id);
      const fromAgreements = await this.agreements.eraseAuthor(id, actor, reason);
      const { formerName } = await this.accounts.eraseAccount(m, id);
      await m.query(NOTIFICATIONS_OF_ERASED('$1'), [id]);
      await m.query(HANDOVERS_NAMING_ERASED('$1', '$2', '$3'), [id, user.name, formerName]);
      await m.query(CYCLE_INVITATIONS_OF_ERASED('$1', '$2'), [id, user.email]);
      return {
        id,
        name: formerName,
        cycleIds: fromCycles.cycleIds,
        agreementPartnershipIds: fromAgreements.partnershipIds,
        released: fromCycles.released + fromAgreements.released,
        retained: fromCycles.retained + fromAgreements.retained,
      };
    });
    // What they wrote while this ran (their sign-in is trusted for a second more): released too.
    const [late, lateAgreements] = await this.transactions.run(async () => [await this.releases.eraseAuthor(id, actor, reason), await this.agreements.eraseAuthor(id, actor, reason)] as const);
    result.cycleIds = [...new Set([...result.cycleIds, ...late.cycleIds])].sort();
    result.agreementPartnershipIds = [...new Set([...result.agreementPartnershipIds, ...lateAgreements.partnershipIds])].sort();
    result.released += late.released + lateAgreements.released;
    // And what they commented and uploaded meanwhile.
    await this.transactions.run(async () => {
      await this.transactions.manager.query(COMMENTS_OF_ERASED('$1', '$2'), [id, user.email]);
      await this.evidence.eraseUploader(id);
    });
    this.logger.log({
      msg: 'Person erased',
      userId: id,
      by: admin.userId,
      cycles: result.cycleIds.length,
      agreements: result.agreementPartnershipIds.length,
      released: result.released,
      retained: result.retained,
    });
    return result;
  }
}
