/** The admin pages: platform admins manage organisations and their users. */
import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, CreateOrganisationDto, CreateUserDto, ORGANISATION_KINDS, WebSession } from '@app/accounts';
import { Conflict, MAX_EMAIL_LENGTH, ValidationFailed } from '@app/domain';
import { checkForm, text, typed } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { AdminPage, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

/** Platform admins manage organisations and their users. */
@AdminPage()
@Controller('admin')
export class AdminController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async index(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.render(res, 200, session, { done: done === 'organisation' ? 'The organisation is added' : done === 'user' ? 'The user is added' : undefined });
  }

  @Post('organisations')
  async addOrganisation(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const { value, errors } = await checkForm(
      CreateOrganisationDto,
      { name: text(body, 'name'), kind: text(body, 'kind') },
      { name: { field: 'org-name', text: 'Enter the organisation’s name (200 characters at most)' }, kind: { field: 'org-kind', text: 'Choose what kind of organisation it is' } },
    );
    if (errors.length) return this.render(res, 400, session, { errors, values: body });
    await this.accounts.createOrganisation(value.name, value.kind);
    res.redirect(303, '/admin?done=organisation');
  }

  @Post('users')
  async addUser(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    // A password left empty is sent as empty: the account rules' words for it, as the API's.
    const { value: input, errors } = await checkForm(
      CreateUserDto,
      { name: text(body, 'name'), email: text(body, 'email'), password: typed(body, 'password') ?? '', organisationId: text(body, 'organisationId') },
      {
        name: { field: 'user-name', text: 'Enter the person’s name (200 characters at most)' },
        // The schema checks the length before any pattern (the form may carry 256 kB).
        email: { field: 'user-email', text: `Enter an email address like name@example.org (${MAX_EMAIL_LENGTH} characters at most)` },
        password: { field: 'user-password', text: 'The password must be 12 to 1,024 characters' },
        organisationId: { field: 'user-organisation', text: 'Choose the person’s organisation' },
      },
    );
    if (!errors.length) {
      try {
        await this.accounts.createUser(input);
        return res.redirect(303, '/admin?done=user');
      } catch (error) {
        if (error instanceof Conflict) errors.push({ field: 'user-email', text: 'A user with this email address already exists' });
        else if (error instanceof ValidationFailed) {
          errors.push(
            ...error.errors.map((e) =>
              e.field === 'password' ? { field: 'user-password', text: `The password ${e.message}` } : { field: 'user-organisation', text: 'Choose the person’s organisation' },
            ),
          );
        } else throw error;
      }
    }
    await this.render(res, 400, session, { errors, values: { ...body, password: '' } });
  }

  private async render(res: Response, status: number, session: WebSession, extra: { done?: string; errors?: FormError[]; values?: Record<string, unknown> }) {
    const [organisations, users] = await Promise.all([this.accounts.listOrganisations(), this.accounts.listUsers()]);
    const orgName = new Map(organisations.map((o) => [o.id, o.name]));
    const values = extra.values ?? {};
    res.status(status).render('admin', {
      ...(await this.layout.of(session)),
      section: 'admin',
      title: 'Organisations and users',
      organisations,
      users: users.map((u) => ({ ...u, organisationName: u.organisationId ? orgName.get(u.organisationId) : 'Platform admin' })),
      kinds: ORGANISATION_KINDS.map((k) => ({ value: k, text: k[0].toUpperCase() + k.slice(1), checked: values.kind === k })),
      organisationItems: [{ value: '', text: 'Choose an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
      values,
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }
}
