/** The accounts' rows: organisations, users and the people forms let one choose. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { organisationDisplayName } from '@app/domain';
import { OrganisationEntity, OrganisationKind } from './organisation.entity';
import { EmailPreference, UserEntity, UserRole } from './user.entity';

/** A user as a form that chooses people lists them. */
export interface ChoosableUser {
  id: string;
  name: string;
  organisationId: string | null;
  organisationName: string | null;
  active: boolean;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === UNIQUE_VIOLATION;

@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get organisations() {
    return this.dataSource.getRepository(OrganisationEntity);
  }

  private get users() {
    return this.dataSource.getRepository(UserEntity);
  }

  insertOrganisation(name: string, kind: OrganisationKind): Promise<OrganisationEntity> {
    return this.organisations.save(this.organisations.create({ name, kind }));
  }

  findOrganisation(id: string): Promise<OrganisationEntity | null> {
    return this.organisations.findOneBy({ id });
  }

  findOrganisations(ids: string[]): Promise<OrganisationEntity[]> {
    return ids.length ? this.organisations.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  listOrganisations(): Promise<OrganisationEntity[]> {
    return this.organisations.find({ order: { name: 'ASC' } });
  }

  /** Returns undefined when the email is taken. */
  async insertUser(user: { email: string; name: string; passwordHash: string; role: UserRole; organisationId: string | null; mustChangePassword?: boolean }): Promise<UserEntity | undefined> {
    try {
      const saved = await this.users.save(this.users.create(user));
      return (await this.findUser(saved.id)) ?? undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  findUser(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id }, relations: { organisation: true } });
  }

  /** Whether each user is active, and their session generation: one statement for many (absent users are left out). */
  async standingOf(ids: string[]): Promise<Map<string, { active: boolean; generation: number }>> {
    const rows: { id: string; active: boolean; session_generation: number }[] = await this.dataSource.query('SELECT id, active, session_generation FROM users WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(rows.map((r) => [r.id, { active: r.active, generation: r.session_generation }]));
  }

  /**
   * The display names of these organisations (a dissolved one as "Former <name> (now <successors>)",
   * its successors found through the chain) and the names of these users, in one statement.
   */
  async namesOf(organisationIds: string[], userIds: string[]): Promise<{ organisations: Map<string, string>; users: Map<string, string> }> {
    const rows: { is_user: boolean; id: string; name: string; dissolved_at: Date | null; successors: string[] | null }[] =
      organisationIds.length || userIds.length
        ? await this.dataSource.query(
            `WITH RECURSIVE chain(id) AS (
               SELECT id FROM organisations WHERE id = ANY($1::uuid[])
               UNION SELECT s FROM chain JOIN organisations o ON o.id = chain.id CROSS JOIN unnest(o.successor_organisation_ids) AS s)
             SELECT false AS is_user, o.id, o.name, o.dissolved_at, o.successor_organisation_ids AS successors FROM organisations o JOIN chain ON chain.id = o.id
             UNION ALL SELECT true, id, name, NULL, NULL FROM users WHERE id = ANY($2::uuid[])`,
            [organisationIds, userIds],
          )
        : [];
    const byId = new Map(rows.filter((r) => !r.is_user).map((r) => [r.id, { id: r.id, name: r.name, dissolvedAt: r.dissolved_at, successorOrganisationIds: r.successors }]));
    return {
      organisations: new Map(organisationIds.filter((id) => byId.has(id)).map((id) => [id, organisationDisplayName(id, byId)])),
      users: new Map(rows.filter((r) => r.is_user).map((r) => [r.id, r.name])),
    };
  }

  findUsers(ids: string[]): Promise<UserEntity[]> {
    return ids.length ? this.users.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  /** The ids of the users of these organisations and of these users, as far as they exist. */
  async userIdsOf(organisationIds: string[], userIds: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.users.query('SELECT id FROM users WHERE organisation_id = ANY($1::uuid[]) OR id = ANY($2::uuid[]) ORDER BY id', [organisationIds, userIds]);
    return rows.map((r) => r.id);
  }

  listUsers(organisationId?: string): Promise<UserEntity[]> {
    return this.users.find({
      where: organisationId ? { organisationId } : {},
      relations: { organisation: true },
      order: { email: 'ASC' },
    });
  }

  /** Users of these organisations, with their organisation, by email within each organisation, in the order the ids are given. */
  /**
   * The users of these organisations (organisation by organisation in the order given, by email
   * within one) and of every organisation of this kind (by name, then id), in one statement: who a cycle's
   * forms choose among.
   */
  async choosableUsers(organisationIds: string[], kind: OrganisationKind): Promise<{ ofOrganisations: ChoosableUser[]; ofKind: ChoosableUser[] }> {
    const rows: { id: string; name: string; organisation_id: string | null; organisation_name: string | null; kind: string | null; active: boolean; by_name: string }[] = await this.dataSource.query(
      `SELECT u.id, u.name, u.organisation_id, o.name AS organisation_name, o.kind, u.active, row_number() OVER (ORDER BY u.name, u.id) AS by_name
         FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
         WHERE u.organisation_id = ANY($1::uuid[]) OR o.kind = $2
         ORDER BY u.email`,
      [organisationIds, kind],
    );
    const user = (r: (typeof rows)[number]): ChoosableUser => ({ id: r.id, name: r.name, organisationId: r.organisation_id, organisationName: r.organisation_name, active: r.active });
    const position = new Map(organisationIds.map((id, i) => [id, i]));
    // Stable sorts: within an organisation, the database's order of emails stays.
    const ofOrganisations = rows.filter((r) => r.organisation_id !== null && position.has(r.organisation_id)).sort((a, b) => position.get(a.organisation_id!)! - position.get(b.organisation_id!)!);
    const ofKind = rows.filter((r) => r.kind === kind).sort((a, b) => Number(a.by_name) - Number(b.by_name));
    return { ofOrganisations: ofOrganisations.map(user), ofKind: ofKind.map(user) };
  }

  /**
   * Who acts for each organisation: its active representatives or, where it names none, its active
   * users; and the active platform admins (for work no one else is named for).
   */
  async recipientsOf(organisationIds: string[]): Promise<{ byOrganisation: Map<string, string[]>; admins: string[] }> {
    const rows: { id: string; organisation_id: string | null }[] = await this.users.query(
      `SELECT u.id, u.organisation_id FROM users u
       WHERE u.active AND (u.role = 'admin' OR (u.organisation_id = ANY($1::uuid[]) AND (u.representative OR NOT EXISTS (
         SELECT 1 FROM users r WHERE r.organisation_id = u.organisation_id AND r.representative AND r.active))))
       ORDER BY u.id`,
      [organisationIds],
    );
    const byOrganisation = new Map<string, string[]>();
    const admins: string[] = [];
    for (const r of rows) {
      if (!r.organisation_id) admins.push(r.id);
      else byOrganisation.set(r.organisation_id, [...(byOrganisation.get(r.organisation_id) ?? []), r.id]);
    }
    return { byOrganisation, admins };
  }

  /** Which of these users are active. */
  async activeOf(userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows: { id: string }[] = await this.users.query('SELECT id FROM users WHERE id = ANY($1::uuid[]) AND active', [userIds]);
    return new Set(rows.map((r) => r.id));
  }

  /** The active representatives of an organisation, by name. */
  async representativesOf(organisationId: string): Promise<{ id: string; name: string }[]> {
    return this.users.query('SELECT id, name FROM users WHERE organisation_id = $1 AND representative AND active ORDER BY name, id', [organisationId]);
  }

  /** With the password hash, for login (by email) and password changes (by id) only. */
  findUserForLogin(email: string | undefined, id?: string): Promise<UserEntity | null> {
    const query = this.users.createQueryBuilder('u').addSelect('u.passwordHash').leftJoinAndSelect('u.organisation', 'o');
    return (email !== undefined ? query.where('u.email = :email', { email }) : query.where('u.id = :id', { id })).getOne();
  }

  /** Whether the user's standing (active) and role were last set by a platform admin. */
  async setByAdmin(id: string): Promise<{ active: boolean; role: boolean }> {
    const [row]: { active_set_by_admin: boolean; role_set_by_admin: boolean }[] = await this.dataSource.query('SELECT active_set_by_admin, role_set_by_admin FROM users WHERE id = $1', [id]);
    return { active: row?.active_set_by_admin ?? false, role: row?.role_set_by_admin ?? false };
  }

  /**
   * Changes a user; `endsSessions` moves their session generation on (earlier tokens and sessions
   * end) and ends their calendar token too.
   */
  /**
   * A person erased (UK GDPR article 17): their name becomes `formerName`, their email an address
   * that names nobody, their password, calendar token, identities, tokens and sessions go, and
   * they can never sign in again. Their row stays, so what they did keeps its actor.
   */
  async eraseUser(m: EntityManager, id: string, formerName: string): Promise<void> {
    await m.query(
      `UPDATE users SET name = $2, email = 'erased-' || id || '@erased.invalid', password_hash = '', active = false, active_set_by_admin = true, representative = false,
         calendar_token_hash = NULL, calendar_token_issued_at = NULL, session_generation = session_generation + 1 WHERE id = $1`,
      [id, formerName],
    );
    await m.query(`DELETE FROM user_identities WHERE user_id = $1`, [id]);
    await m.query(`DELETE FROM personal_access_tokens WHERE user_id = $1`, [id]);
    await m.query(`DELETE FROM web_sessions WHERE user_id = $1`, [id]);
  }

  async updateUser(
    id: string,
    changes: {
      active?: boolean;
      activeSetByAdmin?: boolean;
      representative?: boolean;
      role?: UserRole;
      roleSetByAdmin?: boolean;
      passwordHash?: string;
      mustChangePassword?: boolean;
      emailPreference?: EmailPreference;
      endsSessions?: boolean;
    },
  ): Promise<void> {
    const { endsSessions, ...columns } = changes;
    await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        ...columns,
        ...(endsSessions && { sessionGeneration: () => 'session_generation + 1', calendarTokenHash: null, calendarTokenIssuedAt: null }),
      })
      .where('id = :id', { id })
      .execute();
  }

  /** A new calendar token (its hash and when it was issued), or none: null for both revokes it. */
  async setCalendarToken(userId: string, token: { hash: string; issuedAt: Date } | null): Promise<void> {
    await this.users.update({ id: userId }, { calendarTokenHash: token?.hash ?? null, calendarTokenIssuedAt: token?.issuedAt ?? null });
  }

  /** The user whose calendar token has this hash and was issued after `issuedAfter`. */
  findUserByCalendarTokenHash(hash: string, issuedAfter: Date): Promise<UserEntity | null> {
    return this.users.createQueryBuilder('u').leftJoinAndSelect('u.organisation', 'o').where('u.calendarTokenHash = :hash AND u.calendarTokenIssuedAt > :issuedAfter', { hash, issuedAfter }).getOne();
  }

  async anyUserExists(): Promise<boolean> {
    return (await this.users.count({ take: 1 })) > 0;
  }
}
