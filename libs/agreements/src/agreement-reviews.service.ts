/** The agreement's review date: aligned to a partnership's anchor, fired exactly once when it comes. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '@app/accounts';
import { CLOCK } from '@app/config';
import { NotFound, ValidationFailed, alignedDue, type Clock } from '@app/domain';
import { ANCHOR_DATE, PARTNERSHIP_ARCHIVED, PartnershipCalendarService, PartnershipsService } from '@app/partnerships';
import { AgreementReviewEntity } from './agreement.entity';
import { AgreementsService } from './agreements.service';

export type AgreementReviewInput = { anchorId: string } & ({ offsetDays: number } | { offsetWorkingDays: number });

/** Up to a minute in the past is accepted (clocks and round trips), as for cycles' milestones. */
const PAST_TOLERANCE_MS = 60_000;

/**
 * The agreement's review date (`agreementReviewDue`): commissioner members align it to an anchor;
 * the worker's pass fires it when it comes. Its date is always the anchor's current one moved by
 * the offset, so a moved anchor moves it. Firing is exactly once: the review row is locked and must
 * still be scheduled, and the agreement moves in the same transaction.
 */
@Injectable()
export class AgreementReviewsService {
  private readonly logger = new Logger('AgreementReviews');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly partnerships: PartnershipsService,
    private readonly calendar: PartnershipCalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Schedules the review (replacing one already scheduled). */
  async schedule(principal: Principal, partnershipId: string, input: AgreementReviewInput): Promise<void> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.partnerships.requireCommissionerMember(principal, partnershipId, 'set the agreement’s review date');
    await this.partnerships.requireOpen(partnershipId);
    const anchor = await this.calendar.getAnchor(principal, partnershipId, input.anchorId).catch((error: unknown) => {
      if (error instanceof NotFound) throw new ValidationFailed([{ field: 'anchorId', message: 'is not an anchor of this partnership' }]);
      throw error;
    });
    const offsets = 'offsetWorkingDays' in input ? { offsetDays: null, offsetWorkingDays: input.offsetWorkingDays } : { offsetDays: input.offsetDays, offsetWorkingDays: null };
    const now = this.clock.now();
    const dueAt = alignedDue(anchor.date, offsets);
    if (dueAt.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
      throw new ValidationFailed([{ field: 'anchorId', message: `puts the review on ${dueAt.toISOString().slice(0, 10)}, which has passed` }]);
    }
    await this.agreements.ensure(partnershipId);
    const at = now.toISOString();
    await this.dataSource.transaction(async (m) => {
      // One change of the review date at a time per partnership (two at once would both insert a scheduled one).
      await m.query(`SELECT 1 FROM agreements WHERE partnership_id = $1 FOR UPDATE`, [partnershipId]);
      await m.query(`UPDATE agreement_reviews SET status = 'cancelled', changes = changes || $2::jsonb, updated_at = now() WHERE partnership_id = $1 AND status = 'scheduled'`, [
        partnershipId,
        JSON.stringify([{ status: 'cancelled', at, note: 'Replaced by a new review date' }]),
      ]);
      await m.insert(AgreementReviewEntity, {
        partnershipId,
        anchorId: anchor.id,
        ...offsets,
        status: 'scheduled',
        changes: [{ status: 'scheduled', at, note: `${dueAt.toISOString().slice(0, 10)}, aligned to “${anchor.name}”` }],
        createdByUserId: principal.userId,
      });
    });
  }

  /** Cancels the scheduled review date (404 when none is scheduled). */
  async cancel(principal: Principal, partnershipId: string): Promise<void> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.partnerships.requireCommissionerMember(principal, partnershipId, 'cancel the agreement’s review date');
    await this.partnerships.requireOpen(partnershipId);
    const [, cancelled] = await this.dataSource.query(
      `UPDATE agreement_reviews SET status = 'cancelled', changes = changes || $2::jsonb, updated_at = now() WHERE partnership_id = $1 AND status = 'scheduled'`,
      [partnershipId, JSON.stringify([{ status: 'cancelled', at: this.clock.now().toISOString() }])],
    );
    if (!cancelled) throw new NotFound('review date');
  }

  /**
   * Fires every scheduled review whose date has come: an agreed agreement moves to reviewing; any
   * other is moot (recorded on the review); an archived partnership's review is cancelled. Safe to
   * run in several workers at once. Returns how many were settled.
   */
  async fireDue(): Promise<number> {
    const rows: { id: string; partnership_id: string; date: Date; offset_days: number | null; offset_working_days: number | null; archived: boolean }[] = await this.dataSource.query(
      `SELECT r.id, r.partnership_id, ${ANCHOR_DATE('r.anchor_id')} AS date, r.offset_days, r.offset_working_days, ${PARTNERSHIP_ARCHIVED('r.partnership_id')} AS archived
         FROM agreement_reviews r WHERE r.status = 'scheduled'`,
    );
    const now = this.clock.now();
    let settled = 0;
    for (const r of rows) {
      const due = alignedDue(new Date(r.date), { offsetDays: r.offset_days, offsetWorkingDays: r.offset_working_days });
      if (!r.archived && due.getTime() > now.getTime()) continue;
      const outcome = await this.settle(r.id, r.partnership_id).catch((error: Error) => {
        this.logger.warn(`The review date ${r.id} of partnership ${r.partnership_id} failed, will try again: ${error.message}`);
        return false;
      });
      if (outcome) settled++;
    }
    return settled;
  }

  private settle(id: string, partnershipId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const review = await m.getRepository(AgreementReviewEntity).findOne({ where: { id, status: 'scheduled' }, lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } });
      if (!review) return false;
      // Read again under the locks: the partnership archived, or the anchor moved, since the pass looked.
      const now = this.clock.now();
      const { archived, date } = (await this.calendar.anchorHeld(m, partnershipId, review.anchorId))!;
      if (!archived && alignedDue(new Date(date), review).getTime() > now.getTime()) return false;
      const at = now.toISOString();
      let change: AgreementReviewEntity['changes'][number];
      if (archived) change = { status: 'cancelled', at, note: 'The partnership is archived' };
      else {
        const outcome = await this.agreements.applySystemEvent(m, partnershipId, { type: 'AGREEMENT_REVIEW_DUE', milestoneId: id });
        change = outcome.accepted ? { status: 'fired', at } : { status: 'moot', at, note: outcome.reason };
      }
      await m.update(AgreementReviewEntity, { id }, { status: change.status, changes: [...review.changes, change] });
      return true;
    });
  }
}
