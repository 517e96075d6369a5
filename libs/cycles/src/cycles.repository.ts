import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CycleEntity, CycleHistoryEntity } from './cycle.entity';

export interface CycleListFilter {
  /** null: every partnership (admins); otherwise only partnerships this organisation belongs to. */
  visibleToOrganisationId: string | null;
  partnershipId?: string;
  state?: string;
  /** Keyset: rows strictly older than this one (created_at as exact text, microseconds kept). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface CycleSummaryRow {
  id: string;
  partnershipId: string;
  title: string;
  iteration: number;
  previousCycleId: string | null;
  nextCycleId: string | null;
  state: string;
  version: number;
  coOwners: { organisationId: string; role: string }[];
  panelUserIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class CyclesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The cycle and whether an organisation belongs to its partnership, in one round trip. */
  async findWithMembership(id: string, organisationId: string | null): Promise<{ row: CycleEntity; member: boolean } | undefined> {
    const { entities, raw } = await this.dataSource
      .getRepository(CycleEntity)
      .createQueryBuilder('c')
      .addSelect(
        'EXISTS (SELECT 1 FROM partnership_members m WHERE m.partnership_id = c.partnership_id AND m.organisation_id = :organisationId)',
        'member',
      )
      .where('c.id = :id', { id, organisationId })
      .getRawAndEntities();
    return entities[0] ? { row: entities[0], member: Boolean(raw[0].member) } : undefined;
  }

  /**
   * Compare-and-set and the history entry in one statement (atomic on its own, one round trip).
   * Returns false when the race was lost.
   */
  async compareAndSetWithHistory(
    id: string,
    expectedVersion: number,
    changes: { snapshot: Record<string, unknown>; state: string; historyHash: string; machineVersion: number },
    entry: CycleHistoryEntity,
  ): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH moved AS (
         UPDATE cycles SET snapshot = $3, state = $4, history_hash = $5, machine_version = $6,
           version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2 RETURNING id)
       INSERT INTO cycle_history (cycle_id, seq, type, actor_user_id, organisation_id, from_state, to_state, payload, at, prev_hash, hash)
       SELECT id, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM moved RETURNING seq`,
      [
        id,
        expectedVersion,
        changes.snapshot,
        changes.state,
        changes.historyHash,
        changes.machineVersion,
        entry.seq,
        entry.type,
        entry.actorUserId,
        entry.organisationId,
        entry.fromState,
        entry.toState,
        entry.payload,
        entry.at,
        entry.prevHash,
        entry.hash,
      ],
    );
    return rows.length === 1;
  }

  find(id: string): Promise<CycleEntity | null> {
    return this.dataSource.getRepository(CycleEntity).findOneBy({ id });
  }

  /** The row, locked until the transaction ends: writers of one cycle queue behind each other. */
  findForUpdate(manager: EntityManager, id: string): Promise<CycleEntity | null> {
    return manager.getRepository(CycleEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Rows of several cycles, locked in id order (the order every writer takes them in). */
  lockMany(manager: EntityManager, ids: string[]): Promise<CycleEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return manager
      .getRepository(CycleEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id IN (:...ids)', { ids })
      .orderBy('c.id')
      .getMany();
  }

  /** New versions and chain heads of cycles whose rows the caller holds locked. */
  async advanceMany(manager: EntityManager, heads: { id: string; version: number; historyHash: string }[]): Promise<void> {
    if (!heads.length) return;
    await manager.query(
      `UPDATE cycles c SET version = v.version, history_hash = v.history_hash, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, version int, history_hash text) WHERE c.id = v.id`,
      [JSON.stringify(heads.map((h) => ({ id: h.id, version: h.version, history_hash: h.historyHash })))],
    );
  }

  async appendHistoryMany(manager: EntityManager, entries: CycleHistoryEntity[]): Promise<void> {
    if (!entries.length) return;
    await manager.createQueryBuilder().insert().into(CycleHistoryEntity).values(entries).execute();
  }

  async insert(manager: EntityManager, cycle: Omit<CycleEntity, 'createdAt' | 'updatedAt'>): Promise<void> {
    await manager.insert(CycleEntity, cycle);
  }

  /**
   * Compare-and-set (TypeORM's save() does not check versions): writes only when nobody else
   * wrote since `expectedVersion` was read. Returns false when the race was lost.
   */
  async compareAndSet(
    manager: EntityManager,
    id: string,
    expectedVersion: number,
    changes: { snapshot: Record<string, unknown>; state: string; historyHash: string; machineVersion: number },
  ): Promise<boolean> {
    const result = await manager.query(
      `UPDATE cycles SET snapshot = $3, state = $4, history_hash = $5, machine_version = $6,
         version = version + 1, updated_at = now()
       WHERE id = $1 AND version = $2`,
      [id, expectedVersion, changes.snapshot, changes.state, changes.historyHash, changes.machineVersion],
    );
    return (result as [unknown, number])[1] === 1;
  }

  async linkNext(manager: EntityManager, id: string, nextCycleId: string): Promise<void> {
    await manager.query('UPDATE cycles SET next_cycle_id = $2 WHERE id = $1', [id, nextCycleId]);
  }

  async appendHistory(manager: EntityManager, entry: CycleHistoryEntity): Promise<void> {
    await manager.insert(CycleHistoryEntity, entry);
  }

  history(cycleId: string): Promise<CycleHistoryEntity[]> {
    return this.dataSource.getRepository(CycleHistoryEntity).find({ where: { cycleId }, order: { seq: 'ASC' } });
  }

  /** Newest first, keyset-paginated. */
  async list(filter: CycleListFilter): Promise<CycleSummaryRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const conditions: string[] = [];
    if (filter.state) conditions.push(`c.state = ${param(filter.state)}`);
    if (filter.after) {
      conditions.push(`(c.created_at, c.id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.id)}::uuid)`);
    }
    const limit = param(filter.limit);
    const columns = `c.id, c.partnership_id, c.title, c.iteration, c.previous_cycle_id, c.next_cycle_id, c.state, c.version,
      c.snapshot->'context'->'coOwners' AS co_owners, c.snapshot->'context'->'panelUserIds' AS panel_user_ids,
      c.created_at, c.updated_at`;
    // The newest of each visible partnership through its (partnership_id, created_at, id) index,
    // merged: a page costs the same however many cycles other partnerships hold.
    const partnerships =
      filter.visibleToOrganisationId === null
        ? `SELECT id AS partnership_id FROM partnerships${filter.partnershipId ? ` WHERE id = ${param(filter.partnershipId)}` : ''}`
        : `SELECT partnership_id FROM partnership_members WHERE organisation_id = ${param(filter.visibleToOrganisationId)}${
            filter.partnershipId ? ` AND partnership_id = ${param(filter.partnershipId)}` : ''
          }`;
    const sql = `SELECT c.* FROM (${partnerships}) m
      CROSS JOIN LATERAL (
        SELECT ${columns} FROM cycles c
        WHERE c.partnership_id = m.partnership_id ${conditions.map((x) => `AND ${x}`).join(' ')}
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}) c
      ORDER BY c.created_at DESC, c.id DESC LIMIT ${limit}`;
    const rows: Record<string, any>[] = await this.dataSource.query(sql, params);
    return rows.map((r) => ({
      id: r.id,
      partnershipId: r.partnership_id,
      title: r.title,
      iteration: r.iteration,
      previousCycleId: r.previous_cycle_id,
      nextCycleId: r.next_cycle_id,
      state: r.state,
      version: r.version,
      coOwners: r.co_owners,
      panelUserIds: r.panel_user_ids,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** The exact creation time of a cycle, for keyset pagination (microseconds kept). */
  async cursorOf(id: string): Promise<{ createdAt: string; id: string } | undefined> {
    const rows: { created_at: string }[] = await this.dataSource.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at FROM cycles WHERE id = $1`,
      [id],
    );
    return rows[0] ? { createdAt: rows[0].created_at, id } : undefined;
  }
}
