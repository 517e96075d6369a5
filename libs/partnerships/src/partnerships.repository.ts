/** The partnership's own row, its members and the whole partnership read in one statement. */
import { Injectable } from '@nestjs/common';
import { entityFromJson, FeatureRepository } from '@app/database';
import { ORGANISATION_FIELD, ORGANISATION_ROW } from '@app/accounts/accounts.fragment';
import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { IsNull } from 'typeorm';
import { AnchorEntity, OutcomeEntity, PartnershipEntity, PartnershipMemberEntity, TableDeclarationEntity } from './partnership.entity';

export interface PartnershipAggregate {
  partnership: PartnershipEntity;
  members: PartnershipMemberEntity[];
  declarations: TableDeclarationEntity[];
  outcomes: OutcomeEntity[];
  anchors: AnchorEntity[];
}

/** A row as PostgreSQL's to_jsonb gives it. */
type Row = Record<string, unknown>;

@Injectable()
export class PartnershipsRepository extends FeatureRepository {
  async insert(partnership: Pick<PartnershipEntity, 'name' | 'destination' | 'principles' | 'createdByUserId'>, organisationIds: string[]): Promise<string> {
    const saved = await this.manager.save(this.manager.create(PartnershipEntity, partnership));
    await this.addMembers(saved.id, organisationIds);
    return saved.id;
  }

  async addMembers(partnershipId: string, organisationIds: string[]): Promise<void> {
    if (!organisationIds.length) return;
    await this.manager
      .createQueryBuilder()
      .insert()
      .into(PartnershipMemberEntity)
      .values(organisationIds.map((organisationId) => ({ partnershipId, organisationId })))
      .orIgnore()
      .execute();
  }

  /** Each partnership's reminder days (days before a milestone), by partnership id. */
  async update(id: string, changes: Partial<Pick<PartnershipEntity, 'name' | 'destination' | 'principles' | 'public'>>, manager = this.manager) {
    if (!Object.keys(changes).length) return;
    await manager.getRepository(PartnershipEntity).update({ id }, changes);
  }

  /** Whether its public page is published, read in the caller's transaction. */
  async isPublic(id: string): Promise<boolean> {
    const rows: { public: boolean }[] = await this.manager.query('SELECT public FROM partnerships WHERE id = $1', [id]);
    return rows[0]?.public ?? false;
  }

  /** The partnership if it is published and not archived (its public page shows it). */
  findPublic(id: string): Promise<PartnershipEntity | null> {
    return this.dataSource.getRepository(PartnershipEntity).findOneBy({ id, public: true, archivedAt: IsNull() });
  }

  /** Whether it is archived, read in the caller's transaction (and locked, with `lock`). */
  async archivedAt(id: string, lock = false): Promise<Date | null | undefined> {
    const rows: { archived_at: Date | null }[] = await this.manager.query(`SELECT archived_at FROM partnerships WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? rows[0].archived_at : undefined;
  }

  /**
   * Holds the partnership's row until the caller's transaction ends (NO KEY UPDATE: cycles and
   * members referring to it are not held up), so that writers counting against a cap go one at a time.
   */
  async hold(id: string, manager = this.manager): Promise<void> {
    await manager.query('SELECT 1 FROM partnerships WHERE id = $1 FOR NO KEY UPDATE', [id]);
  }

  async archive(id: string, userId: string, at: Date): Promise<void> {
    await this.manager.query('UPDATE partnerships SET archived_at = $2, archived_by_user_id = $3, updated_at = $2 WHERE id = $1', [id, at, userId]);
  }

  async removeMember(partnershipId: string, organisationId: string): Promise<boolean> {
    const result = await this.manager.delete(PartnershipMemberEntity, { partnershipId, organisationId });
    return (result.affected ?? 0) > 0;
  }

  async isMember(partnershipId: string, organisationId: string): Promise<boolean> {
    return this.dataSource.getRepository(PartnershipMemberEntity).exists({ where: { partnershipId, organisationId } });
  }

  async memberKinds(partnershipId: string): Promise<{ organisationId: string; kind: string }[]> {
    const rows: { organisation_id: string; kind: string }[] = await this.dataSource.query(
      `SELECT m.organisation_id, ${ORGANISATION_FIELD('kind', 'm.organisation_id')} AS kind FROM partnership_members m WHERE m.partnership_id = $1`,
      [partnershipId],
    );
    return rows.map((r) => ({ organisationId: r.organisation_id, kind: r.kind }));
  }

  exists(id: string): Promise<boolean> {
    return this.dataSource.getRepository(PartnershipEntity).exists({ where: { id } });
  }

  /**
   * The whole partnership with members (and their organisations), each member's latest
   * declaration, outcomes and anchors: one statement (every page of a partnership or cycle reads it).
   */
  async load(id: string): Promise<PartnershipAggregate | undefined> {
    const rows: { partnership: Row; members: { member: Row; organisation: Row }[]; declarations: Row[]; outcomes: Row[]; anchors: Row[] }[] = await this.dataSource.query(
      `SELECT to_jsonb(p) AS partnership,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('member', to_jsonb(m), 'organisation', ${ORGANISATION_ROW('m.organisation_id')}) ORDER BY m.joined_at, m.organisation_id), '[]')
            FROM partnership_members m WHERE m.partnership_id = p.id) AS members,
         (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.organisation_id), '[]')
            FROM (SELECT DISTINCT ON (organisation_id) * FROM table_declarations WHERE partnership_id = p.id ORDER BY organisation_id, version DESC) d) AS declarations,
         (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at, x.id), '[]') FROM outcomes x WHERE x.partnership_id = p.id) AS outcomes,
         (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.date, a.id), '[]') FROM anchors a WHERE a.partnership_id = p.id) AS anchors
       FROM partnerships p WHERE p.id = $1`,
      [id],
    );
    if (!rows.length) return undefined;
    const [row] = rows;
    const as =
      <T extends object>(target: new () => T) =>
      (json: Row) =>
        entityFromJson(this.dataSource, target, json);
    return {
      partnership: as(PartnershipEntity)(row.partnership),
      members: row.members.map(({ member, organisation }) => Object.assign(as(PartnershipMemberEntity)(member), { organisation: as(OrganisationEntity)(organisation) })),
      declarations: row.declarations.map(as(TableDeclarationEntity)),
      outcomes: row.outcomes.map(as(OutcomeEntity)),
      anchors: row.anchors.map(as(AnchorEntity)),
    };
  }

  /** Partnerships visible to an organisation (or all, for admins), newest first. */
  list(organisationId: string | null): Promise<PartnershipEntity[]> {
    const query = this.dataSource.getRepository(PartnershipEntity).createQueryBuilder('p').orderBy('p.created_at', 'DESC');
    if (organisationId !== null) {
      query.innerJoin(PartnershipMemberEntity, 'm', 'm.partnership_id = p.id AND m.organisation_id = :organisationId', {
        organisationId,
      });
    }
    return query.getMany();
  }
}
