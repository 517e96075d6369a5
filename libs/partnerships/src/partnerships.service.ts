import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccountsService, Principal, isAdmin } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { NotificationsService } from '@app/notifications';
import type { ChainVerdict } from '@app/history';
import {
  AnchorEntity,
  Metric,
  OutcomeEntity,
  PartnershipEntity,
  PartnershipHistoryEntity,
  PartnershipInvitationEntity,
  PartnershipProposalEntity,
  ProposalAction,
  TableDeclarationEntity,
} from './partnership.entity';
import { InvitationToJoin, PartnershipAggregate, PartnershipsRepository } from './partnerships.repository';
import { PartnershipHistoryRepository } from './partnership-history.repository';
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
 * What a commissioner member's request to remove a member, archive or publish came to: done now
 * (alone, or agreeing to another commissioner member's proposal), or proposed and waiting for a
 * second commissioner member; with the history entries it chained (whom to tell, once committed).
 */
export interface Decided {
  done: boolean;
  proposal: PartnershipProposalEntity | null;
  entries: PartnershipHistoryEntity[];
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
    private readonly notifications: NotificationsService,
    private readonly history: PartnershipHistoryRepository,
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
      const invited = admin ? [] : await this.partnerships.invite(id, named, principal.userId, at);
      await this.record(principal, id, at, [
        { type: 'CREATED', payload: { name: input.name.trim(), memberOrganisationIds: members } },
        ...invited.map((organisationId) => ({ type: 'INVITED', payload: { organisationId } })),
      ]);
      return { id, invited };
    });
    await this.tellInvited(id, input.name.trim(), invited);
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
        decided = await this.agreedByTwo(principal, id, 'publish', null, at);
        if (decided.done) decided.entries.push(...(await this.record(principal, id, at, [{ type: 'PUBLISHED', payload: decided.proposal ? { proposalId: decided.proposal.id } : { alone: true } }])));
      } else if (changes.public === false && current) {
        decided.entries.push(...(await this.record(principal, id, at, [{ type: 'WITHDRAWN', payload: {} }])));
      }
      await this.partnerships.update(id, {
        ...(changes.name !== undefined && { name: changes.name.trim() }),
        ...(changes.public !== undefined && decided.done && { public: changes.public }),
      });
      return decided;
    });
    await this.tell(id, decided.entries);
    return { aggregate: await this.get(principal, id), decided };
  }

  /** Invites organisations (a commissioner member): each joins when one of its leads, or an admin, accepts. */
  async addMembers(principal: Principal, id: string, organisationIds: string[]): Promise<PartnershipAggregate> {
    await this.requireCommissionerMember(principal, id, 'invite organisations');
    await this.requireOrganisations(unique(organisationIds), 'organisationIds');
    const at = this.clock.now();
    const invited = await this.transactions.run(async () => {
      const invited = await this.partnerships.invite(id, unique(organisationIds), principal.userId, at);
      await this.record(principal, id, at, invited.map((organisationId) => ({ type: 'INVITED', payload: { organisationId } })));
      return invited;
    });
    const aggregate = await this.get(principal, id);
    await this.tellInvited(id, aggregate.partnership.name, invited);
    return aggregate;
  }

  /** The partnership's pending invitations (a member, or an admin, sees them). */
  async invitations(principal: Principal, id: string): Promise<PartnershipInvitationEntity[]> {
    await this.requireVisible(principal, id);
    return this.partnerships.pendingInvitations(id);
  }

  /**
   * The invitations the caller may answer: a lead's, to their own organisation; an admin's, all
   * pending ones. Anyone else has none to answer.
   */
  invitationsToAnswer(principal: Principal): Promise<InvitationToJoin[]> {
    if (isAdmin(principal)) return this.partnerships.invitationsTo(null);
    if (principal.role !== 'lead' || !principal.organisationId) return Promise.resolve([]);
    return this.partnerships.invitationsTo(principal.organisationId);
  }

  /**
   * A lead of the invited organisation, or an admin, accepts (it becomes a member) or declines.
   * 404 for anyone else of another organisation (no invitation is theirs to see), 403 for its
   * members who are not leads, 422 when it is no longer pending, 409 when the partnership is archived.
   */
  async answerInvitation(principal: Principal, id: string, organisationId: string, answer: 'accepted' | 'declined'): Promise<void> {
    if (!isAdmin(principal) && principal.organisationId !== organisationId) throw new NotFound('invitation');
    const at = this.clock.now();
    const entries = await this.transactions.run(async () => {
      const archived = await this.partnerships.archivedAt(id, true);
      const state = archived === undefined ? undefined : await this.partnerships.invitationState(id, organisationId);
      if (state === undefined) throw new NotFound('invitation');
      if (!isAdmin(principal) && principal.role !== 'lead') {
        throw new Forbidden('Only a lead of the invited organisation, or a platform admin, answers its invitation.');
      }
      if (archived) throw new Conflict(ARCHIVED);
      if (state !== 'pending') throw new TransitionRefused(`The invitation was ${state} already.`);
      await this.partnerships.decideInvitation(id, organisationId, answer, principal.userId, at);
      if (answer === 'accepted') await this.partnerships.addMembers(id, [organisationId]);
      return this.record(principal, id, at, [{ type: answer === 'accepted' ? 'INVITATION_ACCEPTED' : 'INVITATION_DECLINED', payload: { organisationId } }]);
    });
    await this.tell(id, entries);
  }

  /** The invited organisations' leads are told (an organisation with no lead: the platform admins, who may accept for it). */
  private async tellInvited(id: string, name: string, organisationIds: string[]): Promise<void> {
    if (!organisationIds.length) return;
    const at = this.clock.now();
    const users = await Promise.all(organisationIds.map((o) => this.accounts.listUsers(o)));
    const admins = users.some((list) => !list.some((u) => u.active && u.role === 'lead')) ? (await this.accounts.recipientsOf([])).admins : [];
    await this.notifications.notify(
      organisationIds.flatMap((organisationId, i) => {
        const leads = users[i].filter((u) => u.active && u.role === 'lead').map((u) => u.id);
        return (leads.length ? leads : admins).map((userId) => ({
          userId,
          kind: 'partnership-invitation',
          cycleId: null,
          milestoneId: null,
          text: `Your organisation is invited to join the partnership “${name}”. Until you accept, it is not a member and its people cannot be named in its cycles.`,
          link: '/partnership-invitations',
          dedupeKey: `partnership-invitation.${id}.${organisationId}.${at.getTime()}`,
        }));
      }),
    );
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
  async archive(principal: Principal, id: string, at: Date): Promise<Decided> {
    await this.requireCommissionerMember(principal, id, 'archive the partnership');
    if (await this.partnerships.archivedAt(id, true)) throw new Conflict(ARCHIVED);
    const decided = await this.agreedByTwo(principal, id, 'archive', null, at);
    if (!decided.done) return decided;
    decided.entries.push(...(await this.record(principal, id, at, [{ type: 'ARCHIVED', payload: decided.proposal ? { proposalId: decided.proposal.id } : { alone: true } }])));
    await this.partnerships.archive(id, principal.userId, at);
    return decided;
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
  ): Promise<Decided> {
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
    const at = this.clock.now();
    const decided = await this.agreedByTwo(principal, id, 'remove_member', organisationId, at);
    if (!decided.done) return decided;
    await this.partnerships.removeMember(id, organisationId);
    decided.entries.push(
      ...(await this.record(principal, id, at, [{ type: 'MEMBER_REMOVED', payload: { organisationId, ...(decided.proposal ? { proposalId: decided.proposal.id } : { alone: true }) } }])),
    );
    return decided;
  }

  /**
   * Whether a commissioner member's act happens now, in the caller's transaction (the partnership's
   * row held): alone, recorded as such, when no other member organisation commissions; as the
   * agreement, when another commissioner member proposed it; otherwise it is proposed (once: asking
   * again before anyone agrees changes nothing) and waits.
   */
  private async agreedByTwo(principal: Principal, id: string, action: ProposalAction, organisationId: string | null, at: Date): Promise<Decided> {
    const others = (await this.partnerships.memberKinds(id)).filter((m) => m.kind === 'commissioner' && m.organisationId !== principal.organisationId);
    if (!others.length) return { done: true, proposal: null, entries: [] };
    const open = await this.history.openProposal(id, action, organisationId);
    if (open && open.proposedByOrganisationId !== principal.organisationId) {
      await this.history.settle(open.id, 'agreed', principal.userId, principal.organisationId, at);
      const entries = await this.record(principal, id, at, [{ type: 'AGREED', payload: { proposalId: open.id, action, ...(organisationId && { organisationId }) } }]);
      return { done: true, proposal: { ...open, state: 'agreed', decidedByUserId: principal.userId, decidedByOrganisationId: principal.organisationId, decidedAt: at }, entries };
    }
    if (open) return { done: false, proposal: open, entries: [] };
    const proposal = await this.history.propose({ partnershipId: id, action, organisationId, proposedByUserId: principal.userId, proposedByOrganisationId: principal.organisationId!, proposedAt: at });
    const entries = await this.record(principal, id, at, [{ type: 'PROPOSED', payload: { proposalId: proposal.id, action, ...(organisationId && { organisationId }) } }]);
    return { done: false, proposal, entries };
  }

  /** The open proposal another commissioner member may agree to: 404 when there is none, 422 when it is the caller's organisation's own or no longer open. */
  async proposalToAgree(principal: Principal, id: string, proposalId: string): Promise<PartnershipProposalEntity> {
    await this.requireCommissionerMember(principal, id, 'agree to proposals');
    const proposal = await this.history.findProposal(id, proposalId);
    if (!proposal) throw new NotFound('proposal');
    if (proposal.state !== 'open') throw new TransitionRefused(`The proposal was ${proposal.state} already.`);
    if (proposal.proposedByOrganisationId === principal.organisationId) {
      throw new TransitionRefused('Your organisation proposed it: a commissioner member of another organisation agrees to it.');
    }
    return proposal;
  }

  /** The proposer's organisation withdraws its open proposal (recorded). */
  async withdrawProposal(principal: Principal, id: string, proposalId: string): Promise<void> {
    await this.requireCommissionerMember(principal, id, 'withdraw proposals');
    const at = this.clock.now();
    const entries = await this.transactions.run(async () => {
      await this.partnerships.archivedAt(id, true);
      const proposal = await this.history.findProposal(id, proposalId);
      if (!proposal) throw new NotFound('proposal');
      if (proposal.proposedByOrganisationId !== principal.organisationId) throw new Forbidden('Only the organisation that proposed it withdraws a proposal.');
      if (proposal.state !== 'open') throw new TransitionRefused(`The proposal was ${proposal.state} already.`);
      await this.history.settle(proposal.id, 'withdrawn', principal.userId, principal.organisationId, at);
      return this.record(principal, id, at, [{ type: 'PROPOSAL_WITHDRAWN', payload: { proposalId, action: proposal.action, ...(proposal.organisationId && { organisationId: proposal.organisationId }) } }]);
    });
    await this.tell(id, entries);
  }

  /** Its proposals, open ones first (a member, or an admin, reads them). */
  async proposals(principal: Principal, id: string): Promise<PartnershipProposalEntity[]> {
    await this.requireVisible(principal, id);
    return this.history.proposals(id);
  }

  /** Its chained history, oldest first (a member, or an admin, reads it). */
  async historyOf(principal: Principal, id: string): Promise<PartnershipHistoryEntity[]> {
    await this.requireVisible(principal, id);
    return this.history.entries(id);
  }

  async verifyHistory(principal: Principal, id: string): Promise<ChainVerdict> {
    await this.requireVisible(principal, id);
    return this.history.verify(id);
  }

  /** Chains what happened, in the caller's transaction, as the caller did it. */
  private async record(principal: Principal, id: string, at: Date, items: { type: string; payload: Record<string, unknown> }[]): Promise<PartnershipHistoryEntity[]> {
    if (!items.length) return [];
    const { representative } = await this.accounts.representationOf(principal.userId, principal.organisationId);
    return this.history.append(
      id,
      items.map((item) => ({ ...item, actorUserId: principal.userId, organisationId: principal.organisationId, representative, at })),
    );
  }

  /**
   * Tells, once the entries are committed: a proposal, the other commissioner members' people (it
   * waits for one of them); an invitation's answer, the commissioner members' (who invite); a
   * removal, archive or change of the public page, every member's (and a removed member's) people.
   */
  async tell(id: string, entries: PartnershipHistoryEntity[]): Promise<void> {
    const told = entries.filter((e) => e.type in TOLD);
    if (!told.length) return;
    const aggregate = await this.partnerships.load(id);
    if (!aggregate) return;
    const members = aggregate.members.map((m) => ({ organisationId: m.organisationId, kind: m.organisation?.kind }));
    const named = [...new Set(told.flatMap((e) => [e.organisationId, e.payload.organisationId as string | undefined]).filter((o): o is string => !!o))];
    const everyone = [...new Set([...members.map((m) => m.organisationId), ...named])];
    const [{ byOrganisation }, { organisations }] = await Promise.all([this.accounts.recipientsOf(everyone), this.accounts.namesOf(everyone, [])]);
    const name = (organisationId: unknown) => (typeof organisationId === 'string' && organisations.get(organisationId)) || 'an organisation';
    await this.notifications.notify(
      told.flatMap((entry) => {
        const commissioners = members.filter((m) => m.kind === 'commissioner').map((m) => m.organisationId);
        const to =
          entry.type === 'PROPOSED'
            ? commissioners.filter((o) => o !== entry.organisationId)
            : entry.type === 'INVITATION_ACCEPTED' || entry.type === 'INVITATION_DECLINED'
              ? commissioners
              : [...members.map((m) => m.organisationId), ...(entry.type === 'MEMBER_REMOVED' ? [entry.payload.organisationId as string] : [])];
        const text = TOLD[entry.type]({ who: name(entry.organisationId), member: name(entry.payload.organisationId), action: entry.payload.action as ProposalAction, partnership: aggregate.partnership.name });
        return [...new Set(to.flatMap((o) => byOrganisation.get(o) ?? []))]
          .filter((userId) => userId !== entry.actorUserId)
          .map((userId) => ({
            userId,
            kind: entry.type === 'PROPOSED' ? 'partnership-proposal' : 'partnership-decision',
            cycleId: null,
            milestoneId: null,
            text,
            link: `/partnerships/${id}#decisions`,
            dedupeKey: `partnership-history.${id}.${entry.seq}`,
          }));
      }),
    );
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

const PROPOSED_ACTS: Record<ProposalAction, (member: string) => string> = {
  remove_member: (member) => `remove ${member} from`,
  archive: () => 'archive',
  publish: () => 'publish the public page of',
};

/** What the people told read, per history entry type. */
const TOLD: Record<string, (names: { who: string; member: string; action: ProposalAction; partnership: string }) => string> = {
  PROPOSED: ({ who, member, action, partnership }) =>
    `${who} proposes to ${PROPOSED_ACTS[action](member)} the partnership “${partnership}”. It happens only once a commissioner member of another organisation agrees.`,
  PROPOSAL_WITHDRAWN: ({ who, member, action, partnership }) => `${who} withdrew its proposal to ${PROPOSED_ACTS[action](member)} the partnership “${partnership}”.`,
  INVITATION_ACCEPTED: ({ member, partnership }) => `${member} accepted the invitation and is a member of the partnership “${partnership}”.`,
  INVITATION_DECLINED: ({ member, partnership }) => `${member} declined the invitation to the partnership “${partnership}”.`,
  MEMBER_REMOVED: ({ member, partnership }) => `${member} is no longer a member of the partnership “${partnership}”.`,
  ARCHIVED: ({ partnership }) => `The partnership “${partnership}” is archived: it and its cycles are read-only, its milestones cancelled.`,
  PUBLISHED: ({ partnership }) => `The public page of the partnership “${partnership}” is published: anyone with the link can read it.`,
  WITHDRAWN: ({ partnership }) => `The public page of the partnership “${partnership}” is withdrawn.`,
};

/** The organisation whose membership lets this caller see a partnership: none for an independent facilitator (they see only the cycles that name their people). */
function memberOrganisationOf(principal: Principal): string | null {
  return principal.organisationKind === 'facilitator' ? null : principal.organisationId;
}
