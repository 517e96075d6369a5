/** Drawing the partnership page for every controller that posts to it, with a form's outcome and errors. */
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CycleQueriesService } from '@app/cycles';
import { OpenDataService } from '@app/open-data';
import { MilestonesService } from '@app/milestones';
import { PartnershipFrameworkService, PartnershipGovernanceService, PartnershipInvitationsService, PartnershipsService } from '@app/partnerships';
import { WebhooksService } from '@app/webhooks';
import { ReorganisationService, successionSentence } from '@app/reorganisation';
import { AgreementsService } from '@app/agreements';
import { LayoutService } from '../http/layout.service';
import type { FormError } from '../views/filters';
import { outcomeFigures } from './outcome-chart';

/** What the page says after a form it posted to succeeded (`?done=`). */
const doneText = (done: string | undefined) => {
  if (done === 'table') return 'Your organisation’s declaration is saved';
  if (done === 'anchor') return 'The anchor is added';
  if (done === 'outcome') return 'The outcome is added to the shared framework';
  if (done === 'member-removed') return 'The organisation is no longer a member';
  if (done === 'proposed') return 'Your proposal is recorded: it happens once a commissioner member of another organisation agrees';
  if (done === 'proposal-withdrawn') return 'Your proposal is withdrawn';
  if (done === 'joined') return 'Your organisation accepted the invitation: it is a member now';
  if (done === 'archived') return 'The partnership is archived';
  if (done === 'published') return 'The public page is published: anyone with the link can read it';
  if (done === 'withdrawn') return 'The public page is withdrawn: its link now finds nothing (copies kept by browsers and caches go within five minutes)';
  if (done === 'webhook-removed') return 'The webhook is removed';
  if (done === 'calendar-revoked') return 'Your subscription link is revoked: calendar apps that use it get no more updates';
  const moved = /^moved-(\d+)$/.exec(done ?? '');
  return moved ? `The anchor is moved, and ${moved[1]} aligned milestone${moved[1] === '1' ? '' : 's'} with it` : undefined;
};

/** What a partnership page may show beyond the partnership: the form's outcome, errors and what was typed. */
export interface PartnershipPageExtra {
  done?: string;
  errors?: FormError[];
  calendarLink?: string;
  /** When the link just issued expires (the session was read before it was). */
  calendarLinkExpires?: Date;
  values?: Record<string, unknown>;
  webhookSecret?: { url: string; secret: string };
}

/** The partnership page (members, decisions, outcomes, calendar, webhooks), drawn for every controller that posts to it. */
@Injectable()
export class PartnershipPageService {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly framework: PartnershipFrameworkService,
    private readonly governance: PartnershipGovernanceService,
    private readonly invitations: PartnershipInvitationsService,
    private readonly milestones: MilestonesService,
    private readonly cycles: CycleQueriesService,
    private readonly accounts: AccountsService,
    private readonly webhooks: WebhooksService,
    private readonly agreements: AgreementsService,
    private readonly openData: OpenDataService,
    private readonly reorganisation: ReorganisationService,
    private readonly layout: LayoutService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async render(res: Response, status: number, session: WebSession, id: string, extra: PartnershipPageExtra) {
    // One read of the stamp the kept items in use and outcome series are checked against, for both
    // (each awaits it after its own visibility check; a failure reaches the page through them).
    const stamp = this.cycles.seriesStamp(id);
    stamp.catch(() => undefined);
    // Together: the calendar asks for the partnership too, and shares this read of it.
    const [aggregate, calendar, histories, cycles, inUse, agreement, series, invited, proposals, coming] = await Promise.all([
      this.partnerships.get(session.principal, id),
      this.milestones.calendar(session.principal, id),
      this.framework.tableHistories(session.principal, id),
      this.cycles.list(session.principal, { partnershipId: id, limit: 100 }),
      this.cycles.tableItemsInUse(session.principal, id, stamp),
      this.agreements.get(session.principal, id),
      this.openData.outcomeSeries(session.principal, id, stamp),
      this.invitations.invitations(session.principal, id),
      this.governance.proposals(session.principal, id),
      this.reorganisation.comingTo(id),
    ]);
    const agreedNumber = agreement.snapshot.context.agreedNumber;
    const agreed = agreement.snapshot.context.versions.find((v) => v.number === agreedNumber) ?? null;
    const members = aggregate.members.map((m) => {
      const versions = [...(histories.get(m.organisationId) ?? [])].sort((a, b) => b.version - a.version);
      const uses = (item: string) => inUse.filter((u) => u.organisationId === m.organisationId && u.item === item).map((u) => `“${u.optionTitle}” (${u.cycleTitle})`);
      return {
        organisationId: m.organisationId,
        name: m.organisation?.name ?? 'an organisation',
        kind: m.organisation?.kind,
        isMine: m.organisationId === session.principal.organisationId,
        latest: versions[0] ?? null,
        earlier: versions.slice(1),
        onUses: (versions[0]?.on ?? []).map((item) => ({ item, uses: uses(item).join(', ') })),
      };
    });
    const archived = aggregate.partnership.archivedAt !== null;
    const commissions = session.principal.organisationKind === 'commissioner' && aggregate.members.some((m) => m.organisationId === session.principal.organisationId);
    const webhooks = commissions
      ? await Promise.all((await this.webhooks.list(session.principal, id)).map(async (w) => ({ ...w, deliveries: await this.webhooks.deliveriesOf(session.principal, id, w.id, 10) })))
      : [];
    const conflicted = new Set(calendar.conflicts.flatMap((c) => c.milestoneIds));
    const anchorName = (anchorId: string | null) => aggregate.anchors.find((a) => a.id === anchorId)?.name ?? null;
    // The timeline: anchors and milestones in date order, each milestone with its alignment.
    const timeline = [
      ...calendar.anchors.map((a) => ({ date: a.date, kind: 'anchor', text: a.name, detail: 'Anchor', conflict: false, cycleId: null as string | null })),
      ...calendar.milestones
        .filter((m) => m.status !== 'cancelled')
        .map((m) => ({
          date: m.dueAt,
          kind: 'milestone',
          text: `${m.cycleTitle}: ${m.kind}`,
          detail: (m.anchorId ? `${m.offsetWorkingDays ?? m.offsetDays} ${m.offsetWorkingDays !== null ? 'working days' : 'days'} from “${anchorName(m.anchorId)}”` : 'Fixed date') + ` · ${m.status}`,
          conflict: conflicted.has(m.id),
          cycleId: m.cycleId,
        })),
    ].sort((a, b) => new Date(a.date).getTime() - new Date(b.date).getTime());
    const mine = members.find((m) => m.isMine)?.latest;
    res.status(status).render('partnership', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: aggregate.partnership.name,
      partnership: aggregate.partnership,
      // "Northshire County Council becomes North Wold Council on 1 April 2028" (a split: "is split between A and B").
      successions: coming.map((c) => ({
        text: successionSentence(c.predecessor, c.successors),
        effectiveAt: c.effectiveAt,
      })),
      members,
      invited: invited.map((i) => ({ name: i.organisation?.name ?? 'an organisation', kind: i.organisation?.kind, invitedAt: i.invitedAt })),
      proposals: proposals
        .filter((p) => p.state === 'open')
        .map((p) => {
          const member = aggregate.members.find((m) => m.organisationId === p.organisationId)?.organisation?.name ?? 'an organisation';
          const proposer = aggregate.members.find((m) => m.organisationId === p.proposedByOrganisationId)?.organisation?.name ?? 'A former member';
          return {
            id: p.id,
            text: `${proposer} proposes to ${p.action === 'archive' ? 'archive the partnership' : p.action === 'publish' ? 'publish the public page' : `remove ${member} from the partnership`}`,
            proposedAt: p.proposedAt,
            ours: p.proposedByOrganisationId === session.principal.organisationId,
            // Agreeing is sending the same request: the form posts where the proposal's did.
            agreeAction: p.action === 'archive' ? `/partnerships/${id}/archive` : p.action === 'publish' ? `/partnerships/${id}/public` : `/partnerships/${id}/members/${p.organisationId}/remove`,
            publish: p.action === 'publish',
          };
        }),
      outcomes: aggregate.outcomes,
      outcomeFigures: await outcomeFigures(series),
      timeline,
      conflicts: calendar.conflicts,
      cycles: cycles.items,
      canOpenCycle: session.principal.organisationKind === 'commissioner' && members.some((m) => m.isMine) && !archived,
      canManage: session.principal.organisationKind === 'commissioner' && members.some((m) => m.isMine) && !archived,
      archived,
      agreed,
      publicLink: aggregate.partnership.public && !archived ? `${this.config.mail.publicWebUrl}/public/partnerships/${id}` : null,
      webhooks,
      showWebhooks: commissions,
      webhookSecret: extra.webhookSecret,
      isMember: members.some((m) => m.isMine),
      onValue: (mine?.on ?? []).join('\n'),
      offValue: (mine?.off ?? []).join('\n'),
      done: doneText(extra.done),
      anchors: aggregate.anchors,
      values: extra.values ?? {},
      errors: extra.errors ?? [],
      calendarLink: extra.calendarLink,
      calendarLinkExpires: extra.calendarLinkExpires ?? this.accounts.calendarTokenExpiry(session.user),
    });
  }
}
