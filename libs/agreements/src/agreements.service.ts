/** A partnership's agreement: its machine's snapshot, compare-and-set writes and hash-chained history. */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import {
  AGREEMENT_FREE_TEXT_FIELDS,
  Actor,
  AgreementEvent,
  AgreementEventType,
  AgreementSnapshot,
  AgreementVersion,
  type Clock,
  Forbidden,
  NotFound,
  TransitionRefused,
  ValidationFailed,
  VersionConflict,
  agreementFields,
  agreementNextEvents,
  agreementStateOf,
  alignedDue,
  decideAgreement,
  freeTextPointersOf,
  persistAgreement,
  problemsOf,
  restoreAgreement,
  startAgreement,
} from '@app/domain';
import { ChainHead, ChainVerdict, ChainedHistory, GENESIS_HASH, actorColumns } from '@app/history';
import { PartnershipsService } from '@app/partnerships';
import { AgreementEntity, AgreementHistoryEntity, AgreementReviewEntity } from './agreement.entity';
import type { JsonObject } from '@app/database';

/** The agreement's history, its head on the agreement's row (@app/history: the chain's subject is the partnership's id). */
export const AGREEMENT_HISTORY = new ChainedHistory(
  AgreementHistoryEntity,
  'partnershipId',
  { table: 'agreements', key: 'partnership_id', version: 'version', hash: 'history_hash', touched: 'updated_at' },
  // What a person wrote (a position, an objection, a proposal's destination and principles) is sealed (hash scheme 4).
  (type, payload) => freeTextPointersOf(AGREEMENT_FREE_TEXT_FIELDS, type, payload),
);

export interface AgreementRecord {
  row: AgreementEntity;
  snapshot: AgreementSnapshot;
  members: string[];
  nextEvents: AgreementEventType[];
  /** The review date scheduled, else the last one that came or was moot (none: null). */
  review: AgreementReviewView | null;
}

export interface AgreementReviewView {
  id: string;
  anchorId: string;
  anchorName: string;
  offsetDays: number | null;
  offsetWorkingDays: number | null;
  dueAt: Date;
  status: AgreementReviewEntity['status'];
  changes: AgreementReviewEntity['changes'];
}

/**
 * A partnership's agreement, kept like a cycle: the machine's snapshot, a version for
 * compare-and-set (`If-Match`), and a hash-chained, append-only history with `verify`. A
 * partnership made before agreements gets its agreement when it is first read: its destination and
 * principles become version 1, in drafting.
 */
@Injectable()
export class AgreementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partnerships: PartnershipsService,
    private readonly accounts: AccountsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(principal: Principal, partnershipId: string): Promise<AgreementRecord> {
    // Who may see it and who takes part, from the partnership's read (shared with a page's other parts).
    const aggregate = await this.partnerships.get(principal, partnershipId);
    const row = await this.ensure(partnershipId);
    return this.recordOf(
      row,
      principal,
      aggregate.members.filter((m) => m.organisation?.kind !== 'facilitator').map((m) => m.organisationId),
    );
  }

  /**
   * The version every member agreed, or null (none yet, or no agreement made yet), for the
   * public page: no caller, and it makes no agreement (a read that writes nothing).
   */
  async agreedVersion(partnershipId: string): Promise<AgreementVersion | null> {
    const row = await this.dataSource.getRepository(AgreementEntity).findOneBy({ partnershipId });
    if (!row) return null;
    const { agreedNumber, versions } = restoreAgreement(row.snapshot).context;
    return versions.find((v) => v.number === agreedNumber) ?? null;
  }

  /** A member's event; with `expectedVersion` (If-Match) a stale version is a conflict. */
  async send(principal: Principal, partnershipId: string, body: unknown, expectedVersion?: number): Promise<AgreementRecord> {
    const input = parseAgreementEvent(body);
    await this.partnerships.requireVisible(principal, partnershipId);
    if (isAdmin(principal)) throw new Forbidden('Only member organisations take part in the agreement.');
    await this.partnerships.requireOpen(partnershipId);
    await this.ensure(partnershipId);
    const [members, representation] = await Promise.all([this.memberIds(partnershipId), this.accounts.representationOf(principal.userId, principal.organisationId)]);
    const actor: Actor = { userId: principal.userId, organisationId: principal.organisationId, ...representation };
    const row = await this.dataSource.transaction(async (m) => {
      const current = await m.getRepository(AgreementEntity).findOne({ where: { partnershipId }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw new NotFound('agreement');
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw new VersionConflict(current.version);
      const event = { ...input, actor, members, at: this.clock.now().toISOString() } as AgreementEvent;
      const decision = decideAgreement(restoreAgreement(current.snapshot), event);
      if (!decision.accepted) throw decision.kind === 'forbidden' ? new Forbidden(decision.reason) : new TransitionRefused(decision.reason);
      const { type, actor: _a, members: _m, at, ...payload } = event as AgreementEvent & Record<string, unknown>;
      return this.append(m, current, decision.snapshot, { type, actor, payload, at: new Date(at) });
    });
    return this.recordOf(row, principal, members);
  }

  /**
   * `PATCH /v1/partnerships/:id` with a destination or principles (a commissioner member): a new
   * version proposed for every member's consent, the fields not given kept from the version under
   * consultation. The partnership's destination and principles change when it is agreed.
   */
  async proposeFromPartnership(principal: Principal, partnershipId: string, changes: { destination?: string; principles?: string[]; horizonYear?: number }): Promise<AgreementRecord> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.partnerships.requireCommissionerMember(principal, partnershipId, 'change the destination and principles');
    const current = restoreAgreement((await this.ensure(partnershipId)).snapshot).context.versions.at(-1);
    const horizonYear = changes.horizonYear ?? current?.horizonYear ?? undefined;
    if (horizonYear === undefined) {
      throw new ValidationFailed([{ field: 'horizonYear', message: 'is needed: a new destination or principles are a new version of the partnership agreement, for a year such as 2035' }]);
    }
    return this.send(principal, partnershipId, {
      type: 'PROPOSE_AGREEMENT',
      destination: changes.destination ?? current?.destination,
      principles: changes.principles ?? current?.principles,
      horizonYear,
    });
  }

  async history(principal: Principal, partnershipId: string): Promise<AgreementHistoryEntity[]> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.ensure(partnershipId);
    return AGREEMENT_HISTORY.entries(this.dataSource.manager, partnershipId);
  }

  /** The head the agreement's row keeps now and its entries up to it, in pages, for the offline audit's export (404 when the caller may not see the partnership). */
  async historyExport(principal: Principal, partnershipId: string): Promise<{ head: ChainHead; pages: AsyncGenerator<AgreementHistoryEntity[]> }> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.ensure(partnershipId);
    const head = await AGREEMENT_HISTORY.currentHead(this.dataSource.manager, partnershipId);
    if (!head) throw new NotFound('partnership');
    return { head, pages: AGREEMENT_HISTORY.pages(this.dataSource.manager, partnershipId, head.version) };
  }

  /** The whole chain checked, and its end against the agreement's version and head hash. */
  async verify(principal: Principal, partnershipId: string): Promise<ChainVerdict> {
    await this.partnerships.requireVisible(principal, partnershipId);
    await this.ensure(partnershipId);
    return AGREEMENT_HISTORY.verify(this.dataSource, partnershipId);
  }

  /**
   * The system's event (the review date came), in the caller's transaction: locks the agreement,
   * decides, and chains the entry when it is accepted. A refusal says why (moot: not agreed).
   */
  async applySystemEvent(m: EntityManager, partnershipId: string, input: { type: 'AGREEMENT_REVIEW_DUE'; milestoneId: string }): Promise<{ accepted: true } | { accepted: false; reason: string }> {
    const current = await m.getRepository(AgreementEntity).findOne({ where: { partnershipId }, lock: { mode: 'pessimistic_write' } });
    if (!current) throw new NotFound('agreement');
    const actor: Actor = { userId: null, organisationId: null, system: true };
    const at = this.clock.now();
    const event = { ...input, actor, members: await this.memberIds(partnershipId), at: at.toISOString() } as AgreementEvent;
    const decision = decideAgreement(restoreAgreement(current.snapshot), event);
    if (!decision.accepted) return { accepted: false, reason: decision.reason };
    await this.append(m, current, decision.snapshot, { type: input.type, actor, payload: { milestoneId: input.milestoneId }, at });
    return { accepted: true };
  }

  /**
   * Records that happened to the agreement without moving it (an organisation succeeded by
   * another: its membership follows the partnership's), in the caller's transaction. No agreement
   * yet: nothing to record.
   */
  async recordEntry(m: EntityManager, partnershipId: string, item: { type: string; actor: Actor; payload: Record<string, unknown>; at: Date }): Promise<boolean> {
    const current = await m.getRepository(AgreementEntity).findOne({ where: { partnershipId }, lock: { mode: 'pessimistic_write' } });
    if (!current) return false;
    await this.append(m, current, restoreAgreement(current.snapshot), item);
    return true;
  }

  /** The review date on show: the one scheduled, else the latest that came, was moot or was cancelled. */
  async reviewOf(partnershipId: string, m: EntityManager = this.dataSource.manager): Promise<AgreementReviewView | null> {
    // The scheduled one, else the latest.
    const scheduled = await m
      .getRepository(AgreementReviewEntity)
      .createQueryBuilder('r')
      .innerJoinAndSelect('r.anchor', 'anchor')
      .where('r.partnership_id = :partnershipId', { partnershipId })
      .orderBy(`CASE WHEN r.status = 'scheduled' THEN 0 ELSE 1 END`)
      .addOrderBy('r.created_at', 'DESC')
      .getOne();
    if (!scheduled?.anchor) return null;
    return {
      id: scheduled.id,
      anchorId: scheduled.anchorId,
      anchorName: scheduled.anchor.name,
      offsetDays: scheduled.offsetDays,
      offsetWorkingDays: scheduled.offsetWorkingDays,
      dueAt: alignedDue(scheduled.anchor.date, scheduled),
      status: scheduled.status,
      changes: scheduled.changes,
    };
  }

  private async recordOf(row: AgreementEntity, principal: Principal, members?: string[]): Promise<AgreementRecord> {
    const snapshot = restoreAgreement(row.snapshot);
    const [ids, representation, review] = await Promise.all([
      members ?? this.memberIds(row.partnershipId),
      this.accounts.representationOf(principal.userId, principal.organisationId),
      this.reviewOf(row.partnershipId),
    ]);
    const actor: Actor = { userId: principal.userId, organisationId: principal.organisationId, ...representation };
    return { row, snapshot, members: ids, nextEvents: isAdmin(principal) ? [] : agreementNextEvents(snapshot, actor, ids), review };
  }

  private async memberIds(partnershipId: string): Promise<string[]> {
    return (await this.partnerships.memberKinds(partnershipId)).filter((m) => m.kind !== 'facilitator').map((m) => m.organisationId);
  }

  /** The agreement, made on first use (the partnership's text as version 1, in drafting). */
  async ensure(partnershipId: string): Promise<AgreementEntity> {
    const found = await this.dataSource.getRepository(AgreementEntity).findOneBy({ partnershipId });
    if (found) return found;
    const aggregate = await this.partnerships.load(partnershipId);
    const p = aggregate.partnership;
    const at = this.clock.now();
    const first =
      p.destination || p.principles.length ? { number: 1, destination: p.destination ?? '', horizonYear: null, principles: p.principles, proposedByOrganisationId: null, at: at.toISOString() } : null;
    const snapshot = startAgreement(first);
    return this.dataSource.transaction(async (m) => {
      const inserted = await m
        .createQueryBuilder()
        .insert()
        .into(AgreementEntity)
        .values({ partnershipId, state: agreementStateOf(snapshot), snapshot: persistAgreement(snapshot) as never, version: 0, historyHash: GENESIS_HASH })
        .orIgnore()
        .execute();
      const row = await m.getRepository(AgreementEntity).findOne({ where: { partnershipId }, lock: { mode: 'pessimistic_write' } });
      if (!inserted.identifiers.length || row!.version > 0) return row!;
      return this.append(m, row!, snapshot, { type: 'CREATED', actor: { userId: null, organisationId: null, system: true }, payload: { version1: first }, at }, null);
    });
  }

  /** Chains an entry and moves the row to the new snapshot, in the transaction holding the row. */
  private async append(
    m: EntityManager,
    row: AgreementEntity,
    snapshot: AgreementSnapshot,
    item: { type: string; actor: Actor; payload: Record<string, unknown>; at: Date },
    fromState: string | null = row.state,
  ): Promise<AgreementEntity> {
    const moved = { state: agreementStateOf(snapshot), snapshot: persistAgreement(snapshot) as JsonObject };
    const content = { type: item.type, ...actorColumns(item.actor), fromState, toState: moved.state, payload: item.payload, at: item.at };
    // The entry chained and appended, and the row moved to it with its new state and snapshot, compare-and-set on its version.
    const [entry] = await AGREEMENT_HISTORY.append(m, row.partnershipId, row, [content], moved);
    const next = { ...moved, version: entry.seq, historyHash: entry.hash };
    // The partnership's destination and principles are the agreed version's, from the moment it is agreed.
    const agreed = snapshot.context.versions.find((v) => v.number === snapshot.context.agreedNumber);
    if (next.state === 'agreed' && fromState !== 'agreed' && agreed) {
      await this.partnerships.adoptAgreed(m, row.partnershipId, agreed);
    }
    return { ...row, ...next, updatedAt: item.at };
  }
}

/** A client's agreement event, checked against its fields (400 naming each problem). */
export function parseAgreementEvent(body: unknown): { type: AgreementEventType } & Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object with a type' }]);
  const { type, ...fields } = body as Record<string, unknown>;
  const schema = typeof type === 'string' && type !== 'AGREEMENT_REVIEW_DUE' ? agreementFields(type) : undefined;
  if (!schema) throw new ValidationFailed([{ field: 'type', message: 'must be one of PROPOSE_AGREEMENT, STATE_POSITION, CONSENT_AGREEMENT, OBJECT_AGREEMENT, REOPEN_AGREEMENT' }]);
  const parsed = schema.safeParse(fields);
  if (!parsed.success) throw new ValidationFailed(problemsOf(parsed.error));
  return { type: type as AgreementEventType, ...(parsed.data as Record<string, unknown>) };
}
