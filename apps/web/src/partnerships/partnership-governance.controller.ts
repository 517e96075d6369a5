/** The partnership's governance pages: removing members, the public page, proposals, archiving and the chained history. */
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, WebSession } from '@app/accounts';
import { PartnershipMembersService } from '@app/cycles';
import { Conflict, TransitionRefused, formErrorStatus } from '@app/domain';
import { IdPipe } from '@app/http';
import { MilestonesService } from '@app/milestones';
import { PartnershipGovernanceService, PartnershipsService, UpdatePartnershipDto } from '@app/partnerships';
import { LayoutService } from '../http/layout.service';
import { Form, checkForm, choice } from '../http/form';
import { Session } from '../http/session.guard';
import { PartnershipId } from './partnership-forms';
import { PartnershipPageService } from './partnership-page.service';

/** A partnership history entry in words (the page's list). */
function historyText(type: string, payload: Record<string, unknown>, name: (organisationId: unknown) => string): string {
  const act = (action: unknown) => (action === 'archive' ? 'archive the partnership' : action === 'publish' ? 'publish the public page' : `remove ${name(payload.organisationId)}`);
  switch (type) {
    case 'CREATED':
      return 'Opened the partnership';
    case 'INVITED':
      return `Invited ${name(payload.organisationId)}`;
    case 'INVITATION_ACCEPTED':
      return `${name(payload.organisationId)} accepted the invitation and joined`;
    case 'INVITATION_DECLINED':
      return `${name(payload.organisationId)} declined the invitation`;
    case 'PROPOSED':
      return `Proposed to ${act(payload.action)}`;
    case 'AGREED':
      return `Agreed to the proposal to ${act(payload.action)}`;
    case 'PROPOSAL_WITHDRAWN':
      return `Withdrew the proposal to ${act(payload.action)}`;
    case 'MEMBER_REMOVED':
      return `Removed ${name(payload.organisationId)}${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'ARCHIVED':
      return `Archived the partnership${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'PUBLISHED':
      return `Published the public page${payload.alone ? ' (the only commissioner member)' : ''}`;
    case 'WITHDRAWN':
      return 'Withdrew the public page';
    default:
      return type;
  }
}

/** How a partnership governs itself: removing members, the public page, proposals, archiving, and the chained history of it all. */
@Controller('partnerships')
export class PartnershipGovernanceController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly governance: PartnershipGovernanceService,
    private readonly milestones: MilestonesService,
    private readonly members: PartnershipMembersService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
    private readonly pages: PartnershipPageService,
  ) {}

  /** A commissioner member removes an organisation (refused while it co-owns an unfinished cycle). */
  @Post(':id/members/:organisationId/remove')
  async removeMember(@Session() session: WebSession, @PartnershipId() id: string, @Param('organisationId', new IdPipe('member')) organisationId: string, @Res() res: Response) {
    try {
      const decided = await this.members.remove(session.principal, id, organisationId);
      res.redirect(303, decided.done ? `/partnerships/${id}?done=member-removed#table` : `/partnerships/${id}?done=proposed#decisions`);
    } catch (error) {
      const status = formErrorStatus(error, [Conflict, TransitionRefused]);
      if (!status) throw error;
      await this.pages.render(res, status, session, id, { errors: [{ field: 'table', text: (error as Error).message }] });
    }
  }

  /** A commissioner member publishes the public page (no sign-in: organisations only), or withdraws it. */
  @Post(':id/public')
  async publish(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    // Neither choice is sent as '' (not left out), so the schema's optional field still refuses it.
    const { value, errors } = await checkForm(
      UpdatePartnershipDto,
      { public: choice(body, 'public', 'true', 'false') ?? '' },
      { public: { field: 'public-page', text: 'Choose whether to publish the public page or withdraw it' } },
    );
    if (errors.length) return this.pages.render(res, 400, session, id, { errors });
    const publish = value.public === true;
    const { decided } = await this.partnerships.update(session.principal, id, { public: publish });
    res.redirect(303, decided.done ? `/partnerships/${id}?done=${publish ? 'published' : 'withdrawn'}#public-page` : `/partnerships/${id}?done=proposed#decisions`);
  }

  /** The organisation that proposed it withdraws its proposal. */
  @Post(':id/proposals/:proposalId/withdraw')
  async withdrawProposal(@Session() session: WebSession, @PartnershipId() id: string, @Param('proposalId', new IdPipe('proposal')) proposalId: string, @Res() res: Response) {
    try {
      await this.governance.withdrawProposal(session.principal, id, proposalId);
      res.redirect(303, `/partnerships/${id}?done=proposal-withdrawn#decisions`);
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      await this.pages.render(res, 422, session, id, { errors: [{ field: 'decisions', text: error.message }] });
    }
  }

  /** The partnership history: every invitation and answer, removal, proposal and agreement, archive and public page, chained. */
  @Get(':id/history')
  async history(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    const [aggregate, entries, verdict] = await Promise.all([
      this.partnerships.get(session.principal, id),
      this.governance.historyOf(session.principal, id),
      this.governance.verifyHistory(session.principal, id),
    ]);
    const ids = [...new Set(entries.flatMap((e) => [e.organisationId, e.payload.organisationId]).filter((o): o is string => typeof o === 'string'))];
    const { organisations, users } = await this.accounts.namesOf(ids, [...new Set(entries.map((e) => e.actorUserId).filter((u): u is string => !!u))]);
    res.render('partnership-history', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: `History: ${aggregate.partnership.name}`,
      partnership: aggregate.partnership,
      verdict,
      entries: [...entries].reverse().map((e) => ({
        seq: e.seq,
        at: e.at,
        what: historyText(e.type, e.payload, (o) => (typeof o === 'string' && organisations.get(o)) || 'an organisation'),
        who: [e.actorUserId && users.get(e.actorUserId), e.organisationId && organisations.get(e.organisationId)].filter(Boolean).join(', '),
        hash: e.hash,
      })),
    });
  }

  /** A commissioner member archives the partnership: read-only, its milestones cancelled. */
  @Post(':id/archive')
  async archive(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    const decided = await this.milestones.archivePartnership(session.principal, id);
    res.redirect(303, decided.done ? `/partnerships/${id}?done=archived` : `/partnerships/${id}?done=proposed#decisions`);
  }
}
