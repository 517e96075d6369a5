/** Opening a cycle from the partnership page: the form that names its co-owners, panel, facilitators and outcomes. */
import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSession } from '@app/accounts';
import { CreateCycleDto, CycleCreationService } from '@app/cycles';
import { ValidationFailed } from '@app/domain';
import { PartnershipsService } from '@app/partnerships';
import { ChoicesService } from '../http/choices.service';
import { LayoutService } from '../http/layout.service';
import { Form, checkForm, text, ticked, typed } from '../http/form';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';
import { PartnershipId, fromTheList } from './partnership-forms';

/** The lists of ids the form offers as checkboxes. */
const ID_FIELDS = ['commissionerOrganisationIds', 'providerOrganisationIds', 'communityOrganisationIds', 'panelUserIds', 'facilitatorUserIds', 'outcomeIds'];

/** Opening a cycle in a partnership: the form that names its co-owners, panel, facilitators and outcomes. */
@Controller('partnerships')
export class PartnershipCyclesController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly creation: CycleCreationService,
    private readonly choices: ChoicesService,
    private readonly layout: LayoutService,
  ) {}

  @Get(':id/cycles/new')
  async newCycle(@Session() session: WebSession, @PartnershipId() id: string, @Res() res: Response) {
    await this.renderNewCycle(res, 200, session, id, {});
  }

  @Post(':id/cycles')
  async createCycle(@Session() session: WebSession, @PartnershipId() id: string, @Body() body: Form, @Res() res: Response) {
    const title = text(body, 'title');
    const ids = Object.fromEntries(ID_FIELDS.map((field) => [field, ticked(body, field)]));
    const { value, errors } = await checkForm(
      CreateCycleDto,
      { partnershipId: id, title, ...ids },
      {
        title: { field: 'title', text: title && title.length > 300 ? 'The title must be 300 characters or fewer' : 'Enter a title for the cycle' },
        ...Object.fromEntries(ID_FIELDS.map((field) => [field, fromTheList(field)])),
      },
    );
    if (!errors.length) {
      try {
        const record = await this.creation.create(session.principal, value);
        return res.redirect(303, `/cycles/${record.row.id}`);
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        errors.push(...error.errors.map((e) => ({ field: e.field, text: e.message.replace(/[0-9a-f-]{36}/g, 'an organisation') })));
      }
    }
    await this.renderNewCycle(res, 400, session, id, { errors, values: body });
  }

  private async renderNewCycle(res: Response, status: number, session: WebSession, id: string, extra: { errors?: FormError[]; values?: Record<string, unknown> }) {
    const aggregate = await this.partnerships.get(session.principal, id);
    const { users } = await this.choices.of(aggregate);
    const members = aggregate.members.map((m) => ({ value: m.organisationId, text: m.organisation?.name ?? m.organisationId, kind: m.organisation?.kind }));
    const chosen = (name: string) => new Set(ticked(extra.values, name));
    const items = (name: string, all: { value: string; text: string }[]) => all.map((i) => ({ value: i.value, text: i.text, checked: chosen(name).has(i.value) }));
    const person = (u: (typeof users)[number]) => ({ value: u.id, text: `${u.name} (${u.organisationName})` });
    const memberIds = new Set(members.map((m) => m.value));
    res.status(status).render('new-cycle', {
      ...(await this.layout.of(session)),
      section: 'partnerships',
      title: 'Open a cycle',
      partnership: aggregate.partnership,
      errors: extra.errors ?? [],
      titleValue: typed(extra.values ?? {}, 'title') ?? '',
      commissioners: items(
        'commissionerOrganisationIds',
        members.filter((m) => m.kind === 'commissioner' && m.value !== session.principal.organisationId),
      ),
      providers: items(
        'providerOrganisationIds',
        members.filter((m) => m.kind === 'provider'),
      ),
      community: items(
        'communityOrganisationIds',
        members.filter((m) => m.kind === 'community'),
      ),
      panel: items('panelUserIds', users.filter((u) => memberIds.has(u.organisationId ?? '')).map(person)),
      facilitators: items('facilitatorUserIds', users.map(person)),
      outcomes: items(
        'outcomeIds',
        aggregate.outcomes.map((o) => ({ value: o.id, text: o.title })),
      ),
    });
  }
}
