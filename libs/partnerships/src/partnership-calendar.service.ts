/** The partnership's calendar: anchors that milestones align to, and how many days before a milestone reminders go. */
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '@app/accounts';
import { NotFound } from '@app/domain';
import { AnchorEntity } from './partnership.entity';
import { PartnershipAggregate } from './partnerships.repository';
import { PartnershipCalendarRepository } from './partnership-calendar.repository';
import { PartnershipsService } from './partnerships.service';

@Injectable()
export class PartnershipCalendarService {
  constructor(
    private readonly access: PartnershipsService,
    private readonly calendar: PartnershipCalendarRepository,
  ) {}

  async addAnchor(principal: Principal, id: string, name: string, date: Date): Promise<AnchorEntity> {
    await this.access.requireCommissionerMember(principal, id, 'set anchors on the calendar');
    return this.calendar.insertAnchor({ partnershipId: id, name: name.trim(), date });
  }

  /** The anchor a commissioner member may move (the move itself is the milestones' use case). */
  async anchorToMove(principal: Principal, id: string, anchorId: string): Promise<AnchorEntity> {
    await this.access.requireCommissionerMember(principal, id, 'move anchors on the calendar');
    return this.anchor(id, anchorId);
  }

  saveAnchor(anchor: AnchorEntity, changes: { name?: string; date: Date }): Promise<AnchorEntity> {
    return this.calendar.updateAnchor(anchor, { date: changes.date, ...(changes.name && { name: changes.name.trim() }) });
  }

  async getAnchor(principal: Principal, id: string, anchorId: string): Promise<AnchorEntity> {
    await this.access.requireVisible(principal, id);
    return this.anchor(id, anchorId);
  }

  private async anchor(id: string, anchorId: string): Promise<AnchorEntity> {
    const anchor = await this.calendar.findAnchor(id, anchorId);
    if (!anchor) throw new NotFound('anchor');
    return anchor;
  }

  /** Calendar feeds and reminders read this; commissioner members change it. */
  async setReminderDays(principal: Principal, id: string, days: number[]): Promise<PartnershipAggregate> {
    await this.access.requireCommissionerMember(principal, id, 'change reminders');
    await this.calendar.setReminderDays(
      id,
      [...new Set(days)].sort((a, b) => b - a),
    );
    return this.access.get(principal, id);
  }

  /** How many days before a milestone its reminders go, for each of these partnerships. */
  reminderDaysOf(ids: string[]): Promise<Map<string, number[]>> {
    return this.calendar.reminderDays([...new Set(ids)]);
  }

  /** How many days before a milestone its reminders go, in this partnership. */
  async reminderDays(id: string): Promise<number[]> {
    return (await this.calendar.reminderDays([id])).get(id) ?? [];
  }

  /** The anchor's date and whether the partnership is archived, both held in the caller's transaction (`manager`): a date aligned to it is settled under these locks. */
  anchorHeld(manager: EntityManager, partnershipId: string, anchorId: string): Promise<{ archived: boolean; date: Date } | undefined> {
    return this.calendar.anchorHeld(manager, partnershipId, anchorId);
  }
}
