/** The milestones' and incidents' rows: scheduling, settling, the sweep's claims and the reads of pages and jobs. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Batcher, entityFromJson, type QueryRow, refusedForItsData, Transactions } from '@app/database';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { IncidentEntity, MilestoneChange, MilestoneEntity } from './milestone.entity';
import { CycleEntity } from '@app/cycles/cycle.entity';
import { CYCLE_FIELD, CYCLE_ROW, CYCLES_CLAIMED, CYCLES_HELD } from '@app/cycles/cycles.fragment';
import { CLOSE_MILESTONE_REMINDERS } from '@app/notifications/notifications.fragment';

export interface ScheduledMilestone {
  id: string;
  cycleId: string;
  kind: MilestoneEntity['kind'];
  dueAt: Date;
  revision: number;
  partnershipId: string;
  /** When this revision was scheduled (created, moved or retried). */
  scheduledAt: Date;
}

const affected = (result: unknown): number => (result as [unknown, number])[1];

interface MootSettlement {
  id: string;
  revision: number;
  cycleId: string;
  cycleVersion: number;
  change: MilestoneChange;
}

/** A milestone whose failure waits for a commissioner is left alone until they retry it. */
const NO_OPEN_INCIDENT = `NOT EXISTS (SELECT 1 FROM incidents i WHERE i.milestone_id = m.id AND i.retried_at IS NULL)`;

/** A storm of due milestones reads and settles in batches: one round trip for many jobs. */
const BATCHES = { maxBatch: 200, maxInFlight: 4 };

/** A row as PostgreSQL's to_jsonb gives it. */
type Row = Record<string, unknown>;
@Injectable()
export class MilestonesRepository {
  private readonly reads = new Batcher<string, MilestoneEntity | null>((ids) => this.findManyWithCycle(ids), {
    ...BATCHES,
    key: (id) => id,
  });
  private readonly mootSettlements = new Batcher<MootSettlement, boolean>((batch) => this.settleMootBatch(batch), {
    ...BATCHES,
    key: (m) => m.id,
    alone: refusedForItsData,
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** The transaction's manager when one is under way (Transactions.run), else the data source's. */
  private get manager(): EntityManager {
    return this.transactions.manager;
  }

  /** How many milestones the cycle has (cancelled ones too: they stay in its calendar), in the caller's transaction. */
  countForCycle(cycleId: string): Promise<number> {
    return this.manager.getRepository(MilestoneEntity).countBy({ cycleId });
  }

  async insert(milestone: Partial<MilestoneEntity>): Promise<MilestoneEntity> {
    return this.manager.save(this.manager.create(MilestoneEntity, milestone));
  }

  /**
   * Moot, but only while the cycle is still at the version that made it moot: the share lock waits
   * for a writer of the cycle and then sees its new version, so a decision on a stale read never
   * settles. One statement for a batch of them, no transaction.
   */
  settleMoot(id: string, revision: number, cycleId: string, cycleVersion: number, change: MilestoneChange): Promise<boolean> {
    return this.mootSettlements.add({ id, revision, cycleId, cycleVersion, change });
  }

  private async settleMootBatch(batch: MootSettlement[]): Promise<boolean[]> {
    const input = batch.map((m) => ({ id: m.id, revision: m.revision, cycle_id: m.cycleId, cycle_version: m.cycleVersion, change: m.change }));
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, revision int, cycle_id uuid, cycle_version int, change jsonb)),
       still AS (
         ${CYCLES_HELD('SELECT cycle_id FROM input')}),
       moot AS (
         UPDATE milestones m SET status = 'moot', changes = m.changes || jsonb_build_array(i.change), updated_at = now()
         FROM input i JOIN still ON still.id = i.cycle_id AND still.version = i.cycle_version
         WHERE m.id = i.id AND m.revision = i.revision AND m.status = 'scheduled'
         RETURNING m.id, m.cycle_id),
       -- Its reminders are done (the notifications feature's rows, closed with it in one statement).
       reminded AS (${CLOSE_MILESTONE_REMINDERS('moot')})
       SELECT id FROM moot`,
      [JSON.stringify(input)],
    );
    const settled = new Set(rows.map((r) => r.id));
    return batch.map((m) => settled.has(m.id));
  }

  /** The milestone with its cycle (read in batches with other jobs' milestones). */
  findWithCycle(id: string): Promise<MilestoneEntity | null> {
    return this.reads.add(id);
  }

  private async findManyWithCycle(ids: string[]): Promise<(MilestoneEntity | null)[]> {
    // One statement: the cycle's row comes with each milestone (the cycles feature's SQL piece).
    const rows: { milestone: Row; cycle: Row | null }[] = await this.dataSource.query(
      `SELECT to_jsonb(m) AS milestone, ${CYCLE_ROW('m.cycle_id')} AS cycle FROM milestones m WHERE m.id = ANY($1::uuid[])`,
      [ids],
    );
    const found = rows
      .filter((r) => r.cycle)
      .map((r) => Object.assign(entityFromJson(this.dataSource, MilestoneEntity, r.milestone), { cycle: entityFromJson(this.dataSource, CycleEntity, r.cycle!) }));
    const byId = new Map(found.map((m) => [m.id, m]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  find(id: string): Promise<MilestoneEntity | null> {
    return this.dataSource.getRepository(MilestoneEntity).findOneBy({ id });
  }

  forCycle(cycleId: string): Promise<MilestoneEntity[]> {
    return this.dataSource.getRepository(MilestoneEntity).find({ where: { cycleId }, order: { dueAt: 'ASC', id: 'ASC' } });
  }

  async forPartnership(partnershipId: string): Promise<(MilestoneEntity & { cycleTitle: string; cycleState: string })[]> {
    const rows: { milestone: Row; title: string; state: string }[] = await this.dataSource.query(
      `SELECT to_jsonb(m) AS milestone, ${CYCLE_FIELD('title', 'm.cycle_id')} AS title, ${CYCLE_FIELD('state', 'm.cycle_id')} AS state
       FROM milestones m WHERE m.partnership_id = $1 ORDER BY m.due_at, m.id`,
      [partnershipId],
    );
    return rows.map((r) => Object.assign(entityFromJson(this.dataSource, MilestoneEntity, r.milestone), { cycleTitle: r.title, cycleState: r.state }));
  }

  /** When the next milestone a sweep would settle is due. */
  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query(`SELECT m.due_at FROM milestones m WHERE m.status = 'scheduled' AND ${NO_OPEN_INCIDENT} ORDER BY m.due_at LIMIT 1`);
    return row ? new Date(row.due_at) : null;
  }

  /**
   * Cycles with milestones due by now, earliest first, locked for this transaction. Cycles another
   * sweep (or a writer) holds are skipped, not waited for: several workers sweep side by side.
   */
  async claimDueCycles(now: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.manager.query(
      `WITH due AS (
         SELECT m.cycle_id, min(m.due_at) AS first FROM milestones m
         WHERE m.status = 'scheduled' AND m.due_at <= $2 AND ${NO_OPEN_INCIDENT} GROUP BY m.cycle_id)
       ${CYCLES_CLAIMED('due', '$1')}`,
      [limit, now],
    );
    return rows.map((r) => r.id);
  }

  /** The scheduled milestones of these cycles due by now, locked, in the order they are due. */
  async lockDue(cycleIds: string[], now: Date): Promise<{ id: string; cycleId: string; kind: MilestoneEntity['kind']; revision: number; dueAt: Date }[]> {
    const rows: { id: string; cycleId: string; kind: MilestoneEntity['kind']; revision: number; dueAt: Date }[] = await this.manager.query(
      `SELECT m.id, m.cycle_id AS "cycleId", m.kind, m.revision, m.due_at AS "dueAt" FROM milestones m
       WHERE m.cycle_id = ANY($1::uuid[]) AND m.status = 'scheduled' AND m.due_at <= $2 AND ${NO_OPEN_INCIDENT}
       ORDER BY m.due_at, m.id FOR UPDATE OF m`,
      [cycleIds, now],
    );
    return rows.map((row) => ({ ...row, dueAt: new Date(row.dueAt) }));
  }

  /** Settles many milestones in the caller's transaction (each only from `scheduled` at its revision). */
  async settleMany(settlements: { id: string; revision: number; status: 'fired' | 'moot' | 'cancelled'; change: MilestoneChange }[]): Promise<void> {
    if (!settlements.length) return;
    await this.manager.query(
      `UPDATE milestones m SET status = i.status, changes = m.changes || jsonb_build_array(i.change), updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, revision int, status text, change jsonb)
       WHERE m.id = i.id AND m.revision = i.revision AND m.status = 'scheduled'`,
      [JSON.stringify(settlements)],
    );
  }

  /** Changes status only from `scheduled` at this revision: a second delivery changes nothing. */
  async settle(id: string, revision: number, status: 'fired' | 'moot' | 'cancelled', change: MilestoneChange): Promise<boolean> {
    const result = await this.manager.query(
      `UPDATE milestones SET status = $3, changes = changes || $4::jsonb, updated_at = now()
       WHERE id = $1 AND revision = $2 AND status = 'scheduled'`,
      [id, revision, status, JSON.stringify([change])],
    );
    return affected(result) === 1;
  }

  /** Which cycles an anchor move touches (read before taking locks). */
  alignedScheduledIds(anchorId: string): Promise<{ id: string; cycleId: string }[]> {
    return this.manager
      .query(`SELECT id, cycle_id FROM milestones WHERE anchor_id = $1 AND status = 'scheduled'`, [anchorId])
      .then((rows: { id: string; cycle_id: string }[]) => rows.map((r) => ({ id: r.id, cycleId: r.cycle_id })));
  }

  /** Scheduled milestones aligned to an anchor (for its move), or of a partnership (archived), locked in id order. */
  lockScheduled(of: { anchorId: string } | { partnershipId: string }): Promise<MilestoneEntity[]> {
    const [column, value] = 'anchorId' in of ? ['anchor_id', of.anchorId] : ['partnership_id', of.partnershipId];
    return this.manager
      .getRepository(MilestoneEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where(`m.${column} = :value AND m.status = :status`, { value, status: 'scheduled' })
      .orderBy('m.id')
      .getMany();
  }

  /** Moves milestones to new dates in one statement, each to its next revision. */
  async move(moves: { id: string; dueAt: Date; change: MilestoneChange }[]): Promise<void> {
    if (!moves.length) return;
    await this.manager.query(
      `UPDATE milestones m SET due_at = v.due_at, revision = m.revision + 1,
         changes = m.changes || jsonb_build_array(v.change), updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, due_at timestamptz, change jsonb)
       WHERE m.id = v.id`,
      [JSON.stringify(moves.map((m) => ({ id: m.id, due_at: m.dueAt.toISOString(), change: m.change })))],
    );
  }

  async bumpRevision(id: string): Promise<number> {
    // UPDATE ... RETURNING answers [rows, affected].
    const [rows]: [{ revision: number }[], number] = await this.manager.query(`UPDATE milestones SET revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING revision`, [id]);
    return rows[0].revision;
  }

  /** Scheduled milestones without an open incident, in id order, for the reconciler. */
  async scheduledBatch(afterId: string | null, limit: number): Promise<ScheduledMilestone[]> {
    const rows: QueryRow[] = await this.dataSource.query(
      `SELECT m.id, m.cycle_id, m.partnership_id, m.kind, m.due_at, m.revision, m.updated_at
       FROM milestones m
       WHERE m.status = 'scheduled' AND ($1::uuid IS NULL OR m.id > $1::uuid)
         AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.milestone_id = m.id AND i.retried_at IS NULL)
       ORDER BY m.id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      cycleId: r.cycle_id,
      kind: r.kind,
      dueAt: r.due_at,
      revision: r.revision,
      partnershipId: r.partnership_id,
      scheduledAt: r.updated_at,
    }));
  }

  async openIncident(milestoneId: string): Promise<IncidentEntity | null> {
    return this.dataSource.getRepository(IncidentEntity).findOneBy({ milestoneId, retriedAt: IsNull() });
  }

  async insertIncident(incident: Pick<IncidentEntity, 'id' | 'cycleId' | 'milestoneId' | 'error' | 'attempts'>): Promise<void> {
    await this.dataSource.getRepository(IncidentEntity).insert(incident);
  }

  incidents(cycleId: string): Promise<IncidentEntity[]> {
    return this.dataSource.getRepository(IncidentEntity).find({ where: { cycleId }, order: { createdAt: 'DESC' } });
  }

  findIncident(cycleId: string, id: string): Promise<IncidentEntity | null> {
    return this.dataSource.getRepository(IncidentEntity).findOneBy({ id, cycleId });
  }

  async markRetried(id: string, userId: string): Promise<boolean> {
    const result = await this.manager.query(`UPDATE incidents SET retried_at = now(), retried_by_user_id = $2 WHERE id = $1 AND retried_at IS NULL`, [id, userId]);
    return affected(result) === 1;
  }
}
