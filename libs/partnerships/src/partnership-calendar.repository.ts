/** The partnership's calendar: its anchors (dates milestones align to) and its reminder days. */
import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { FeatureRepository } from '@app/database';
import { AnchorEntity, PartnershipEntity } from './partnership.entity';

@Injectable()
export class PartnershipCalendarRepository extends FeatureRepository {
  /** Each partnership's reminder days (days before a milestone), by partnership id. */
  async reminderDays(ids: string[]): Promise<Map<string, number[]>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.getRepository(PartnershipEntity).find({ select: { id: true, reminderDays: true }, where: { id: In(ids) } });
    return new Map(rows.map((r) => [r.id, r.reminderDays]));
  }

  async setReminderDays(id: string, reminderDays: number[]): Promise<void> {
    await this.manager.getRepository(PartnershipEntity).update({ id }, { reminderDays });
  }

  insertAnchor(anchor: { partnershipId: string; name: string; date: Date }) {
    const repository = this.dataSource.getRepository(AnchorEntity);
    return repository.save(repository.create(anchor));
  }

  findAnchor(partnershipId: string, id: string): Promise<AnchorEntity | null> {
    return this.dataSource.getRepository(AnchorEntity).findOneBy({ id, partnershipId });
  }

  async updateAnchor(anchor: AnchorEntity, changes: { name?: string; date?: Date }): Promise<AnchorEntity> {
    return this.manager.getRepository(AnchorEntity).save({ ...anchor, ...changes });
  }

  /** The anchor's date and whether its partnership is archived, both rows held (FOR SHARE) until the caller's transaction (`manager`) ends. */
  async anchorHeld(manager: EntityManager, partnershipId: string, anchorId: string): Promise<{ archived: boolean; date: Date } | undefined> {
    const rows: { archived: boolean; date: Date }[] = await manager.query(
      `SELECT p.archived_at IS NOT NULL AS archived, a.date FROM partnerships p, anchors a WHERE p.id = $1 AND a.id = $2 FOR SHARE OF p, a`,
      [partnershipId, anchorId],
    );
    return rows[0];
  }
}
