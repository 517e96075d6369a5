/** Chains what happens to a partnership, decides whether an act waits for a second commissioner member, and tells the people concerned. */
import { Inject, Injectable } from '@nestjs/common';
import { AccountsService, Principal } from '@app/accounts';
import { CLOCK } from '@app/config';
import { type Clock } from '@app/domain';
import { NotificationsService } from '@app/notifications';
import { PartnershipHistoryEntity, PartnershipProposalEntity, ProposalAction } from './partnership.entity';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipHistoryRepository } from './partnership-history.repository';

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

/** One thing that happened, as the caller records it. */
export interface Happened {
  type: string;
  payload: Record<string, unknown>;
}

@Injectable()
export class PartnershipDecisionsService {
  constructor(
    private readonly partnerships: PartnershipsRepository,
    private readonly history: PartnershipHistoryRepository,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Chains what happened, in the caller's transaction, as the caller did it. */
  async record(principal: Principal, id: string, at: Date, items: Happened[]): Promise<PartnershipHistoryEntity[]> {
    if (!items.length) return [];
    const { representative } = await this.accounts.representationOf(principal.userId, principal.organisationId);
    return this.history.append(
      id,
      items.map((item) => ({ ...item, actorUserId: principal.userId, organisationId: principal.organisationId, representative, at })),
    );
  }

  /**
   * Whether a commissioner member's act happens now, in the caller's transaction (the partnership's
   * row held): alone, recorded as such, when no other member organisation commissions; as the
   * agreement, when another commissioner member proposed it; otherwise it is proposed (once: asking
   * again before anyone agrees changes nothing) and waits.
   */
  async agreedByTwo(principal: Principal, id: string, action: ProposalAction, organisationId: string | null, at: Date): Promise<Decided> {
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
        const text = TOLD[entry.type]({
          who: name(entry.organisationId),
          member: name(entry.payload.organisationId),
          action: entry.payload.action as ProposalAction,
          partnership: aggregate.partnership.name,
        });
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

  /** The invited organisations' leads are told (an organisation with no lead: the platform admins, who may accept for it). */
  async tellInvited(id: string, name: string, organisationIds: string[]): Promise<void> {
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
}

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
