import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transactions, entityFromJson } from '@app/database';
import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import {
  AnchorEntity,
  Metric,
  OutcomeEntity,
  InvitationState,
  PartnershipEntity,
  PartnershipInvitationEntity,
  PartnershipMemberEntity,
  TableDeclarationEntity,
} from './partnership.entity';

/** A pending invitation as the invited organisation's lead sees it: the partnership's name and who asked, nothing more. */
export interface InvitationToJoin {
  partnershipId: string;
  partnershipName: string;
  organisationId: string;
  organisationName: string;
  invitedByOrganisationName: string | null;
  invitedAt: Date;
}

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
export class PartnershipsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** The transaction's manager when one is under way (Transactions.run), else the data source's. */
  private get manager(): EntityManager {
    return this.transactions.manager;
  }


  async insert(
    partnership: Pick<PartnershipEntity, 'name' | 'destination' | 'principles' | 'createdByUserId'>,
    organisationIds: string[],
  ): Promise<string> {
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

  /**
   * Invites the organisations that are neither members nor invited already (a declined or ended
   * invitation is sent again); answers the ones invited now.
   */
  async invite(partnershipId: string, organisationIds: string[], invitedByUserId: string, at: Date): Promise<string[]> {
    if (!organisationIds.length) return [];
    const rows: { organisation_id: string }[] = await this.manager.query(
      `INSERT INTO partnership_invitations (partnership_id, organisation_id, state, invited_by_user_id, invited_at)
       SELECT $1, o, 'pending', $3, $4 FROM unnest($2::uuid[]) AS o
       WHERE NOT EXISTS (SELECT 1 FROM partnership_members m WHERE m.partnership_id = $1 AND m.organisation_id = o)
       ON CONFLICT (partnership_id, organisation_id) DO UPDATE
         SET state = 'pending', invited_by_user_id = EXCLUDED.invited_by_user_id, invited_at = EXCLUDED.invited_at, decided_by_user_id = NULL, decided_at = NULL
         WHERE partnership_invitations.state <> 'pending'
       RETURNING organisation_id`,
      [partnershipId, organisationIds, invitedByUserId, at],
    );
    return rows.map((r) => r.organisation_id);
  }

  /** The invitation's state, locked until the caller's transaction ends (accepting and declining race). */
  async invitationState(partnershipId: string, organisationId: string): Promise<InvitationState | undefined> {
    const rows: { state: InvitationState }[] = await this.manager.query(
      'SELECT state FROM partnership_invitations WHERE partnership_id = $1 AND organisation_id = $2 FOR UPDATE',
      [partnershipId, organisationId],
    );
    return rows[0]?.state;
  }

  async decideInvitation(partnershipId: string, organisationId: string, state: 'accepted' | 'declined', userId: string, at: Date): Promise<void> {
    await this.manager.query(
      `UPDATE partnership_invitations SET state = $3, decided_by_user_id = $4, decided_at = $5 WHERE partnership_id = $1 AND organisation_id = $2`,
      [partnershipId, organisationId, state, userId, at],
    );
  }

  /** The partnership's pending invitations, with the invited organisations, oldest first. */
  pendingInvitations(partnershipId: string): Promise<PartnershipInvitationEntity[]> {
    return this.dataSource.getRepository(PartnershipInvitationEntity).find({
      where: { partnershipId, state: 'pending' },
      relations: { organisation: true },
      order: { invitedAt: 'ASC', organisationId: 'ASC' },
    });
  }

  /** Pending invitations to these organisations (all of them, for `null`), newest first. */
  async invitationsTo(organisationId: string | null): Promise<InvitationToJoin[]> {
    const rows: { partnership_id: string; partnership_name: string; organisation_id: string; organisation_name: string; invited_by_organisation_name: string | null; invited_at: Date }[] =
      await this.dataSource.query(
        `SELECT i.partnership_id, p.name AS partnership_name, i.organisation_id, o.name AS organisation_name, io.name AS invited_by_organisation_name, i.invited_at
         FROM partnership_invitations i
           JOIN partnerships p ON p.id = i.partnership_id
           JOIN organisations o ON o.id = i.organisation_id
           JOIN users u ON u.id = i.invited_by_user_id
           LEFT JOIN organisations io ON io.id = u.organisation_id
         WHERE i.state = 'pending' AND p.archived_at IS NULL AND ($1::uuid IS NULL OR i.organisation_id = $1)
         ORDER BY i.invited_at DESC, i.partnership_id, i.organisation_id`,
        [organisationId],
      );
    return rows.map((r) => ({
      partnershipId: r.partnership_id,
      partnershipName: r.partnership_name,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      invitedByOrganisationName: r.invited_by_organisation_name,
      invitedAt: r.invited_at,
    }));
  }

  /** Each partnership's reminder days (days before a milestone), by partnership id. */
  async reminderDays(ids: string[]): Promise<Map<string, number[]>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.getRepository(PartnershipEntity).find({ select: { id: true, reminderDays: true }, where: { id: In(ids) } });
    return new Map(rows.map((r) => [r.id, r.reminderDays]));
  }

  async update(id: string, changes: Partial<Pick<PartnershipEntity, 'name' | 'destination' | 'principles' | 'reminderDays' | 'public'>>) {
    if (!Object.keys(changes).length) return;
    await this.manager.getRepository(PartnershipEntity).update({ id }, changes);
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
    const rows: { archived_at: Date | null }[] = await this.manager.query(
      `SELECT archived_at FROM partnerships WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows.length ? rows[0].archived_at : undefined;
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
      `SELECT m.organisation_id, o.kind FROM partnership_members m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.partnership_id = $1`,
      [partnershipId],
    );
    return rows.map((r) => ({ organisationId: r.organisation_id, kind: r.kind }));
  }

  outcomes(partnershipId: string): Promise<OutcomeEntity[]> {
    return this.dataSource.getRepository(OutcomeEntity).find({ where: { partnershipId }, order: { createdAt: 'ASC', id: 'ASC' } });
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
         (SELECT coalesce(jsonb_agg(jsonb_build_object('member', to_jsonb(m), 'organisation', to_jsonb(o)) ORDER BY m.joined_at, m.organisation_id), '[]')
            FROM partnership_members m JOIN organisations o ON o.id = m.organisation_id WHERE m.partnership_id = p.id) AS members,
         (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.organisation_id), '[]')
            FROM (SELECT DISTINCT ON (organisation_id) * FROM table_declarations WHERE partnership_id = p.id ORDER BY organisation_id, version DESC) d) AS declarations,
         (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.created_at, x.id), '[]') FROM outcomes x WHERE x.partnership_id = p.id) AS outcomes,
         (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.date, a.id), '[]') FROM anchors a WHERE a.partnership_id = p.id) AS anchors
       FROM partnerships p WHERE p.id = $1`,
      [id],
    );
    if (!rows.length) return undefined;
    const [row] = rows;
    const as = <T extends object>(target: new () => T) => (json: Row) => entityFromJson(this.dataSource, target, json);
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

  declarationHistories(partnershipId: string): Promise<TableDeclarationEntity[]> {
    return this.dataSource.getRepository(TableDeclarationEntity).find({ where: { partnershipId }, order: { organisationId: 'ASC', version: 'DESC' } });
  }

  declarationHistory(partnershipId: string, organisationId: string): Promise<TableDeclarationEntity[]> {
    return this.dataSource
      .getRepository(TableDeclarationEntity)
      .find({ where: { partnershipId, organisationId }, order: { version: 'DESC' } });
  }

  /** Appends the next version; the member row is locked so two declarations never clash. */
  declare(
    partnershipId: string,
    organisationId: string,
    declaredByUserId: string,
    on: string[],
    off: string[],
  ): Promise<TableDeclarationEntity> {
    return this.transactions.run(async () => {
      await this.manager
        .getRepository(PartnershipMemberEntity)
        .createQueryBuilder('m')
        .setLock('pessimistic_write')
        .where('m.partnership_id = :partnershipId AND m.organisation_id = :organisationId', {
          partnershipId,
          organisationId,
        })
        .getOne();
      const latest = await this.manager
        .getRepository(TableDeclarationEntity)
        .findOne({ where: { partnershipId, organisationId }, order: { version: 'DESC' } });
      return this.manager.save(
        this.manager.create(TableDeclarationEntity, {
          partnershipId,
          organisationId,
          declaredByUserId,
          on,
          off,
          version: (latest?.version ?? 0) + 1,
        }),
      );
    });
  }

  /** How many outcomes the partnership has, read in the caller's transaction; with `lock`, the partnership's row locked first (outcomes added one at a time). */
  async countOutcomes(partnershipId: string, options: { lock?: boolean } = {}): Promise<number> {
    if (options.lock) await this.manager.query('SELECT 1 FROM partnerships WHERE id = $1 FOR NO KEY UPDATE', [partnershipId]);
    return this.manager.getRepository(OutcomeEntity).countBy({ partnershipId });
  }

  insertOutcome(outcome: { partnershipId: string; title: string; metrics: Metric[]; createdByUserId: string }) {
    const repository = this.manager.getRepository(OutcomeEntity);
    return repository.save(repository.create(outcome));
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
}
