/** What each member organisation puts on and keeps off the table, and the partnership's shared outcome framework. */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { Transactions } from '@app/database';
import { Metric, OutcomeEntity, TableDeclarationEntity } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipFrameworkRepository } from './partnership-framework.repository';
import { PartnershipsService } from './partnerships.service';

@Injectable()
export class PartnershipFrameworkService {
  constructor(
    private readonly access: PartnershipsService,
    private readonly partnerships: PartnershipsRepository,
    private readonly framework: PartnershipFrameworkRepository,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async declareTable(principal: Principal, id: string, on: string[], off: string[]): Promise<TableDeclarationEntity> {
    await this.access.requireVisible(principal, id);
    if (!principal.organisationId) {
      throw new Forbidden('Only a member organisation can say what it puts on and off the table.');
    }
    await this.access.requireOpen(id);
    const overlap = on.filter((item) => off.includes(item));
    if (overlap.length) {
      throw new ValidationFailed([{ field: 'off', message: `cannot also be on the table: ${overlap.join(', ')}` }]);
    }
    return this.framework.declare(id, principal.organisationId, principal.userId, on, off);
  }

  /** Every version of every member's declaration, newest first, in one read (the partnership page shows them all). */
  async tableHistories(principal: Principal, id: string): Promise<Map<string, TableDeclarationEntity[]>> {
    await this.access.requireVisible(principal, id);
    const all = await this.framework.declarationHistories(id);
    const byMember = new Map<string, TableDeclarationEntity[]>();
    for (const d of all) byMember.set(d.organisationId, [...(byMember.get(d.organisationId) ?? []), d]);
    return byMember;
  }

  async tableHistory(principal: Principal, id: string, organisationId: string): Promise<TableDeclarationEntity[]> {
    await this.access.requireVisible(principal, id);
    if (!(await this.partnerships.isMember(id, organisationId))) throw new NotFound('member');
    return this.framework.declarationHistory(id, organisationId);
  }

  async addOutcome(principal: Principal, id: string, title: string, metrics: Omit<Metric, 'id'>[]): Promise<OutcomeEntity> {
    await this.access.requireMember(principal, id, 'add to the shared outcome framework');
    const cap = this.config.caps.outcomesPerPartnership;
    // Counted with the partnership's row locked, so two outcomes added at once cannot both be the last one.
    return this.transactions.run(async () => {
      await this.partnerships.hold(id);
      if ((await this.framework.countOutcomes(id)) >= cap) {
        throw new TransitionRefused(`A partnership holds at most ${cap} outcomes (MAX_OUTCOMES_PER_PARTNERSHIP), and this one has them all.`);
      }
      return this.framework.insertOutcome({
        partnershipId: id,
        title: title.trim(),
        metrics: metrics.map((m) => ({ id: randomUUID(), ...m })),
        createdByUserId: principal.userId,
      });
    });
  }

  outcomes(id: string): Promise<OutcomeEntity[]> {
    return this.framework.outcomes(id);
  }
}
