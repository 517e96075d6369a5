import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import { Conflict, Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { AnchorEntity, Metric, OutcomeEntity, PartnershipEntity, TableDeclarationEntity } from './partnership.entity';
import { PartnershipAggregate, PartnershipsRepository } from './partnerships.repository';
import { Transactions } from '@app/database';

const ARCHIVED = 'The partnership is archived: it and its cycles are read-only.';

export interface NewPartnership {
  name: string;
  memberOrganisationIds: string[];
  destination?: string;
  principles?: string[];
}

/** The destination and principles are the agreement's (AgreementsService.proposeFromPartnership). */
export interface PartnershipChanges {
  name?: string;
  /** Publishes (or withdraws) its public page. */
  public?: boolean;
}

/**
 * Partnerships are the tenancy boundary: anyone whose organisation is not a member (admins
 * aside) is told the partnership does not exist.
 */
@Injectable()
export class PartnershipsService {
  constructor(
    private readonly partnerships: PartnershipsRepository,
    private readonly accounts: AccountsService,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, input: NewPartnership): Promise<PartnershipAggregate> {
    if (!isAdmin(principal) && principal.organisationKind !== 'commissioner') {
      throw new Forbidden('Only commissioners and platform admins open partnerships.');
    }
    const memberIds = unique([...input.memberOrganisationIds, ...(principal.organisationId ? [principal.organisationId] : [])]);
    await this.requireOrganisations(memberIds, 'memberOrganisationIds');
    const id = await this.transactions.run(() =>
      this.partnerships.insert(
        {
          name: input.name.trim(),
          destination: input.destination?.trim() || null,
          principles: input.principles ?? [],
          createdByUserId: principal.userId,
        },
        memberIds,
      ),
    );
    return this.get(principal, id);
  }

  /**
   * The partnership as the caller may see it. Reads asked for at the same time within one request
   * (a page's parts, each asking) share one read; one asked after another has finished reads again,
   * so a request that writes and then reads sees its write.
   */
  get(principal: Principal, id: string): Promise<PartnershipAggregate> {
    let pending = this.reading.get(principal);
    if (!pending) this.reading.set(principal, (pending = new Map()));
    let read = pending.get(id);
    if (!read) {
      const reads = pending;
      read = this.read(principal, id).finally(() => reads.delete(id));
      pending.set(id, read);
    }
    return read;
  }

  private readonly reading = new WeakMap<Principal, Map<string, Promise<PartnershipAggregate>>>();

  private async read(principal: Principal, id: string): Promise<PartnershipAggregate> {
    const loaded = this.partnerships.load(id);
    // Who may see it is answered from the same read (it names the members) unless this request
    // knows already, and kept for the request's other checks: one round trip, not two.
    const visible = this.visibleOnce(principal, id, () => loaded.then((aggregate) => aggregate !== undefined && this.mayView(principal, aggregate)));
    const [mayView, aggregate] = await Promise.all([visible, loaded]);
    if (!mayView || !aggregate) throw new NotFound('partnership');
    return aggregate;
  }

  /** requireVisible's rule, on a partnership read with its members. */
  private mayView(principal: Principal, aggregate: PartnershipAggregate): boolean {
    if (isAdmin(principal)) return true;
    const organisationId = memberOrganisationOf(principal);
    return organisationId !== null && aggregate.members.some((m) => m.organisationId === organisationId);
  }

  list(principal: Principal): Promise<PartnershipEntity[]> {
    // An independent facilitator sees only the cycles that name its people, not partnerships.
    if (principal.organisationKind === 'facilitator') return Promise.resolve([]);
    return this.partnerships.list(isAdmin(principal) ? null : principal.organisationId);
  }

  async update(principal: Principal, id: string, changes: PartnershipChanges): Promise<PartnershipAggregate> {
    await this.requireCommissionerMember(principal, id, changes.public !== undefined ? 'publish or withdraw its public page' : 'change the partnership');
    await this.partnerships.update(id, {
      ...(changes.name !== undefined && { name: changes.name.trim() }),
      ...(changes.public !== undefined && { public: changes.public }),
    });
    return this.get(principal, id);
  }

  async addMembers(principal: Principal, id: string, organisationIds: string[]): Promise<PartnershipAggregate> {
    await this.requireCommissionerMember(principal, id, 'invite organisations');
    await this.requireOrganisations(unique(organisationIds), 'organisationIds');
    await this.transactions.run(() => this.partnerships.addMembers(id, unique(organisationIds)));
    return this.get(principal, id);
  }

  async declareTable(principal: Principal, id: string, on: string[], off: string[]): Promise<TableDeclarationEntity> {
    await this.requireVisible(principal, id);
    if (!principal.organisationId) {
      throw new Forbidden('Only a member organisation can say what it puts on and off the table.');
    }
    await this.requireOpen(id);
    const overlap = on.filter((item) => off.includes(item));
    if (overlap.length) {
      throw new ValidationFailed([{ field: 'off', message: `cannot also be on the table: ${overlap.join(', ')}` }]);
    }
    return this.partnerships.declare(id, principal.organisationId, principal.userId, on, off);
  }

  /** Every version of every member's declaration, newest first, in one read (the partnership page shows them all). */
  async tableHistories(principal: Principal, id: string): Promise<Map<string, TableDeclarationEntity[]>> {
    await this.requireVisible(principal, id);
    const all = await this.partnerships.declarationHistories(id);
    const byMember = new Map<string, TableDeclarationEntity[]>();
    for (const d of all) byMember.set(d.organisationId, [...(byMember.get(d.organisationId) ?? []), d]);
    return byMember;
  }

  async tableHistory(principal: Principal, id: string, organisationId: string): Promise<TableDeclarationEntity[]> {
    await this.requireVisible(principal, id);
    if (!(await this.partnerships.isMember(id, organisationId))) throw new NotFound('member');
    return this.partnerships.declarationHistory(id, organisationId);
  }

  async addOutcome(
    principal: Principal,
    id: string,
    title: string,
    metrics: Omit<Metric, 'id'>[],
  ): Promise<OutcomeEntity> {
    await this.requireMember(principal, id, 'add to the shared outcome framework');
    const cap = this.config.caps.outcomesPerPartnership;
    // Counted with the partnership's row locked, so two outcomes added at once cannot both be the last one.
    return this.transactions.run(async () => {
      if ((await this.partnerships.countOutcomes(id, { lock: true })) >= cap) {
        throw new TransitionRefused(`A partnership holds at most ${cap} outcomes (MAX_OUTCOMES_PER_PARTNERSHIP), and this one has them all.`);
      }
      return this.partnerships.insertOutcome({
        partnershipId: id,
        title: title.trim(),
        metrics: metrics.map((m) => ({ id: randomUUID(), ...m })),
        createdByUserId: principal.userId,
      });
    });
  }

  async addAnchor(principal: Principal, id: string, name: string, date: Date): Promise<AnchorEntity> {
    await this.requireCommissionerMember(principal, id, 'set anchors on the calendar');
    return this.partnerships.insertAnchor({ partnershipId: id, name: name.trim(), date });
  }

  /** The anchor a commissioner member may move (the move itself is the milestones' use case). */
  async anchorToMove(principal: Principal, id: string, anchorId: string): Promise<AnchorEntity> {
    await this.requireCommissionerMember(principal, id, 'move anchors on the calendar');
    const anchor = await this.partnerships.findAnchor(id, anchorId);
    if (!anchor) throw new NotFound('anchor');
    return anchor;
  }

  saveAnchor(anchor: AnchorEntity, changes: { name?: string; date: Date }): Promise<AnchorEntity> {
    return this.partnerships.updateAnchor(anchor, { date: changes.date, ...(changes.name && { name: changes.name.trim() }) });
  }

  /** Calendar feeds and reminders read this; commissioner members change it. */
  async setReminderDays(principal: Principal, id: string, days: number[]): Promise<PartnershipAggregate> {
    await this.requireCommissionerMember(principal, id, 'change reminders');
    await this.partnerships.update(id, { reminderDays: [...new Set(days)].sort((a, b) => b - a) });
    return this.get(principal, id);
  }

  async getAnchor(principal: Principal, id: string, anchorId: string): Promise<AnchorEntity> {
    await this.requireVisible(principal, id);
    const anchor = await this.partnerships.findAnchor(id, anchorId);
    if (!anchor) throw new NotFound('anchor');
    return anchor;
  }

  /** Member organisations with their kinds (no visibility check: callers have made it). */
  /** How many days before a milestone its reminders go, for each of these partnerships. */
  reminderDaysOf(ids: string[]): Promise<Map<string, number[]>> {
    return this.partnerships.reminderDays([...new Set(ids)]);
  }

  /** How many days before a milestone its reminders go, in this partnership. */
  async reminderDays(id: string): Promise<number[]> {
    return (await this.partnerships.reminderDays([id])).get(id) ?? [];
  }

  /**
   * A published partnership, for its public page (no sign-in): 404 when it is unknown, not
   * published, or archived (an archived partnership is read-only, so its page could no longer be
   * withdrawn or corrected: archiving withdraws it).
   */
  /** 404 unless it is published (and not archived): the cheap check before a public page is served. */
  async requirePublic(id: string): Promise<void> {
    if (!(await this.partnerships.findPublic(id))) throw new NotFound('partnership');
  }

  async getPublic(id: string): Promise<PartnershipAggregate> {
    if (!(await this.partnerships.findPublic(id))) throw new NotFound('partnership');
    return this.load(id);
  }

  /** The whole partnership, for other features' services (no visibility check: callers have made it). */
  async load(id: string): Promise<PartnershipAggregate> {
    const aggregate = await this.partnerships.load(id);
    if (!aggregate) throw new NotFound('partnership');
    return aggregate;
  }

  memberKinds(id: string): Promise<{ organisationId: string; kind: string }[]> {
    return this.partnerships.memberKinds(id);
  }

  outcomes(id: string): Promise<OutcomeEntity[]> {
    return this.partnerships.outcomes(id);
  }

  /** 404 unless the caller's organisation is a member (admins see everything; independent facilitators no partnership). */
  async requireVisible(principal: Principal, id: string): Promise<void> {
    // A page asks many services, each checking: the answer is read once per request (each request
    // has its own principal object, so this memo lives exactly as long as the request).
    const visible = this.visibleOnce(principal, id, () => {
      if (isAdmin(principal)) return this.partnerships.exists(id);
      const organisationId = memberOrganisationOf(principal);
      return organisationId === null ? Promise.resolve(false) : this.partnerships.isMember(id, organisationId);
    });
    if (!(await visible)) throw new NotFound('partnership');
  }

  private readonly visibility = new WeakMap<Principal, Map<string, Promise<boolean>>>();

  /** Whether the caller may see partnership `id`, answered once per request (`answer` is asked the first time; a failure is not kept). */
  private visibleOnce(principal: Principal, id: string, answer: () => Promise<boolean>): Promise<boolean> {
    let answers = this.visibility.get(principal);
    if (!answers) this.visibility.set(principal, (answers = new Map()));
    const kept = answers.get(id);
    if (kept) return kept;
    const visible = answer();
    answers.set(id, visible);
    visible.catch(() => answers.delete(id));
    return visible;
  }

  /** 409 when the partnership is archived: every write to it or its cycles is refused. */
  async requireOpen(id: string): Promise<void> {
    if (await this.partnerships.archivedAt(id)) throw new Conflict(ARCHIVED);
  }

  /**
   * Archives it (a commissioner member): read-only from then on. In the caller's transaction,
   * which cancels its milestones; 409 when it already is.
   */
  async archive(principal: Principal, id: string, at: Date): Promise<void> {
    await this.requireCommissionerMember(principal, id, 'archive the partnership');
    if (await this.partnerships.archivedAt(id, true)) throw new Conflict(ARCHIVED);
    await this.partnerships.archive(id, principal.userId, at);
  }

  /**
   * Removes a member organisation (a commissioner member), in the caller's transaction; `unfinished`
   * answers the titles of the unfinished cycles it co-owns (the refusal names them). A partnership
   * keeps at least one commissioner member.
   */
  async removeMember(
    principal: Principal,
    id: string,
    organisationId: string,
    unfinished: () => Promise<string[]>,
  ): Promise<void> {
    await this.requireCommissionerMember(principal, id, 'remove member organisations');
    await this.partnerships.archivedAt(id, true); // held until the removal commits
    const members = await this.partnerships.memberKinds(id);
    if (!members.some((m) => m.organisationId === organisationId)) throw new NotFound('member');
    if (!members.some((m) => m.organisationId !== organisationId && m.kind === 'commissioner')) {
      throw new TransitionRefused('A partnership keeps at least one commissioner member: invite another before this one leaves.');
    }
    const cycles = await unfinished();
    if (cycles.length) {
      throw new Conflict(`The organisation still co-owns unfinished cycles: ${cycles.map((t) => `“${t}”`).join(', ')}. It must leave them, or they must end, first.`);
    }
    await this.partnerships.removeMember(id, organisationId);
  }

  private async requireMember(principal: Principal, id: string, action: string): Promise<void> {
    await this.requireVisible(principal, id);
    await this.requireOpen(id);
    if (isAdmin(principal)) throw new Forbidden(`Only member organisations ${action}.`);
  }

  async requireCommissionerMember(principal: Principal, id: string, action: string): Promise<void> {
    await this.requireVisible(principal, id);
    await this.requireOpen(id);
    if (principal.organisationKind !== 'commissioner') {
      throw new Forbidden(`Only commissioners of the partnership ${action}.`);
    }
  }

  private async requireOrganisations(ids: string[], field: string): Promise<void> {
    const found = await this.accounts.findOrganisations(ids);
    const missing = ids.filter((id) => !found.some((o) => o.id === id));
    if (missing.length) {
      throw new ValidationFailed([{ field, message: `no organisation has the id ${missing.join(', ')}` }]);
    }
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** The organisation whose membership lets this caller see a partnership: none for an independent facilitator (they see only the cycles that name their people). */
function memberOrganisationOf(principal: Principal): string | null {
  return principal.organisationKind === 'facilitator' ? null : principal.organisationId;
}
