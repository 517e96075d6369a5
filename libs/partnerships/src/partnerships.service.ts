/** The partnership itself: who may see it, opening, renaming and publishing it, and reading it for other features. */
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import { CLOCK } from '@app/config';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { Transactions } from '@app/database';
import { PartnershipEntity } from './partnership.entity';
import { PartnershipAggregate, PartnershipsRepository } from './partnerships.repository';
import { PartnershipInvitationsRepository } from './partnership-invitations.repository';
import { Decided, PartnershipDecisionsService } from './partnership-decisions.service';

export const ARCHIVED = 'The partnership is archived: it and its cycles are read-only.';

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
    private readonly invitations: PartnershipInvitationsRepository,
    private readonly accounts: AccountsService,
    private readonly transactions: Transactions,
    private readonly decisions: PartnershipDecisionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Opens a partnership. Its opener's organisation is a member at once; every other organisation
   * named is invited, and joins only when one of its leads (or a platform admin) accepts. A
   * platform admin, trusted platform-wide, makes the organisations it names members at once.
   */
  async create(principal: Principal, input: NewPartnership): Promise<PartnershipAggregate> {
    if (!isAdmin(principal) && principal.organisationKind !== 'commissioner') {
      throw new Forbidden('Only commissioners and platform admins open partnerships.');
    }
    const own = principal.organisationId ? [principal.organisationId] : [];
    const named = unique(input.memberOrganisationIds).filter((o) => !own.includes(o));
    await this.requireOrganisations(unique([...named, ...own]), 'memberOrganisationIds');
    const admin = isAdmin(principal);
    const at = this.clock.now();
    const { id, invited } = await this.transactions.run(async () => {
      const members = admin ? [...own, ...named] : own;
      const id = await this.partnerships.insert(
        {
          name: input.name.trim(),
          destination: input.destination?.trim() || null,
          principles: input.principles ?? [],
          createdByUserId: principal.userId,
        },
        members,
      );
      const invited = admin ? [] : await this.invitations.invite(id, named, principal.userId, at);
      await this.decisions.record(principal, id, at, [
        { type: 'CREATED', payload: { name: input.name.trim(), memberOrganisationIds: members } },
        ...invited.map((organisationId) => ({ type: 'INVITED', payload: { organisationId } })),
      ]);
      return { id, invited };
    });
    await this.decisions.tellInvited(id, input.name.trim(), invited);
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

  /**
   * Renames it, or publishes or withdraws its public page (a commissioner member). Publishing needs a
   * second commissioner member's agreement (the first request proposes it, `decided.done` false);
   * withdrawing, the cautious way, happens at once. Both are recorded and told.
   */
  async update(principal: Principal, id: string, changes: PartnershipChanges): Promise<{ aggregate: PartnershipAggregate; decided: Decided }> {
    await this.requireCommissionerMember(principal, id, changes.public !== undefined ? 'publish or withdraw its public page' : 'change the partnership');
    const at = this.clock.now();
    const decided = await this.transactions.run(async () => {
      await this.partnerships.archivedAt(id, true);
      const current = await this.partnerships.isPublic(id);
      let decided: Decided = { done: true, proposal: null, entries: [] };
      if (changes.public === true && !current) {
        decided = await this.decisions.agreedByTwo(principal, id, 'publish', null, at);
        if (decided.done)
          decided.entries.push(...(await this.decisions.record(principal, id, at, [{ type: 'PUBLISHED', payload: decided.proposal ? { proposalId: decided.proposal.id } : { alone: true } }])));
      } else if (changes.public === false && current) {
        decided.entries.push(...(await this.decisions.record(principal, id, at, [{ type: 'WITHDRAWN', payload: {} }])));
      }
      await this.partnerships.update(id, {
        ...(changes.name !== undefined && { name: changes.name.trim() }),
        ...(changes.public !== undefined && decided.done && { public: changes.public }),
      });
      return decided;
    });
    await this.decisions.tell(id, decided.entries);
    return { aggregate: await this.get(principal, id), decided };
  }

  /** 404 unless it is published (and not archived): the cheap check before a public page is served. */
  async requirePublic(id: string): Promise<void> {
    if (!(await this.partnerships.findPublic(id))) throw new NotFound('partnership');
  }

  /**
   * A published partnership, for its public page (no sign-in): 404 when it is unknown, not
   * published, or archived (an archived partnership is read-only, so its page could no longer be
   * withdrawn or corrected: archiving withdraws it).
   */
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

  /** The agreed version's destination and principles become the partnership's, in the agreement's transaction (`manager`). */
  async adoptAgreed(manager: EntityManager, id: string, agreed: { destination: string | null; principles: string[] }): Promise<void> {
    await this.partnerships.update(id, { destination: agreed.destination, principles: agreed.principles }, manager);
  }

  /** Holds the partnership's row in the caller's transaction (`manager`): writers counting against a per-partnership cap go one at a time. */
  hold(manager: EntityManager, id: string): Promise<void> {
    return this.partnerships.hold(id, manager);
  }

  /** 404 unless visible, 409 when archived, 403 for a platform admin (only member organisations act). */
  async requireMember(principal: Principal, id: string, action: string): Promise<void> {
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

  /** 422 naming the ids (in `field`) no organisation has. */
  async requireOrganisations(ids: string[], field: string): Promise<void> {
    const found = await this.accounts.findOrganisations(ids);
    const missing = ids.filter((id) => !found.some((o) => o.id === id));
    if (missing.length) {
      throw new ValidationFailed([{ field, message: `no organisation has the id ${missing.join(', ')}` }]);
    }
    // A dissolved organisation acts no more: its successors take its place.
    const dissolved = found.filter((o) => o.dissolvedAt);
    if (dissolved.length) {
      throw new TransitionRefused(
        `${dissolved.map((o) => o.name).join(', ')} ${dissolved.length === 1 ? 'was' : 'were'} dissolved in a reorganisation: name ${dissolved.length === 1 ? 'its successor' : 'their successors'} instead.`,
      );
    }
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** The organisation whose membership lets this caller see a partnership: none for an independent facilitator (they see only the cycles that name their people). */
function memberOrganisationOf(principal: Principal): string | null {
  return principal.organisationKind === 'facilitator' ? null : principal.organisationId;
}
