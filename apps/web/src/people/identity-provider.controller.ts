/** The identity provider page: an organisation's OpenID Connect settings, for an admin or its lead. */
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService, IdentityProvidersService, WebSession } from '@app/accounts';
import { TransitionRefused, ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { LayoutService } from '../http/layout.service';
import { Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const OrganisationId = () => Param('id', new IdPipe('organisation'));
/** The form's field for each field of the service's. */
const FIELDS: Record<string, string> = { issuer: 'idp-issuer', clientId: 'idp-client-id', clientSecret: 'idp-client-secret', emailDomains: 'idp-domains' };

/**
 * An organisation's identity provider, for a platform admin or the organisation's lead (the same
 * IdentityProvidersService rules as the API): the secret is asked for on every save and never shown.
 */
@Controller('organisations/:id/identity-provider')
export class IdentityProviderPagesController {
  constructor(
    private readonly providers: IdentityProvidersService,
    private readonly accounts: AccountsService,
    private readonly layout: LayoutService,
  ) {}

  @Get()
  async page(@Session() session: WebSession, @OrganisationId() id: string, @Query('done') done: string | undefined, @Res() res: Response) {
    const done_ =
      done === 'saved' ? 'The identity provider is saved: its people can sign in with it' : done === 'removed' ? 'The identity provider is removed: its people sign in with passwords' : undefined;
    await this.render(res, 200, session, id, { done: done_ });
  }

  @Post()
  async save(@Session() session: WebSession, @OrganisationId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const input = {
      issuer: str(body.issuer),
      clientId: str(body.clientId),
      clientSecret: typeof body.clientSecret === 'string' ? body.clientSecret : '',
      emailDomains: str(body.emailDomains)
        .split(/[\s,]+/)
        .filter(Boolean),
      passwordsAllowed: body.passwordsAllowed !== 'no',
    };
    try {
      await this.providers.configure(session.principal, id, input);
      return res.redirect(303, `/organisations/${id}/identity-provider?done=saved`);
    } catch (error) {
      const values = { ...body, clientSecret: '' };
      if (error instanceof ValidationFailed) {
        return this.render(res, 400, session, id, { values, errors: error.errors.map((e) => ({ field: FIELDS[e.field] ?? 'idp-issuer', text: `${label(e.field)} ${e.message}` })) });
      }
      if (error instanceof TransitionRefused)
        return this.render(res, 422, session, id, { values, errors: [{ field: /domain/.test(error.message) ? 'idp-domains' : 'idp-issuer', text: error.message }] });
      throw error;
    }
  }

  @Post('delete')
  async remove(@Session() session: WebSession, @OrganisationId() id: string, @Res() res: Response) {
    await this.providers.remove(session.principal, id);
    res.redirect(303, `/organisations/${id}/identity-provider?done=removed`);
  }

  private async render(res: Response, status: number, session: WebSession, id: string, extra: { done?: string; errors?: FormError[]; values?: Record<string, unknown> }) {
    // The same 403 as the API's for anyone but an admin or the organisation's lead.
    const current = await this.providers.get(session.principal, id).catch((error: unknown) => {
      if ((error as { resource?: string }).resource === 'identity provider') return undefined;
      throw error;
    });
    const organisation = await this.accounts.getOrganisation(id);
    const values =
      extra.values ?? (current ? { issuer: current.issuer, clientId: current.clientId, emailDomains: current.emailDomains.join(', '), passwordsAllowed: current.passwordsAllowed ? 'yes' : 'no' } : {});
    res.status(status).render('identity-provider', {
      ...(await this.layout.of(session)),
      section: session.principal.role === 'admin' ? 'admin' : 'people',
      title: `How ${organisation.name}’s people sign in`,
      organisation,
      current,
      redirectUri: this.providers.redirectUri,
      values,
      passwordItems: [
        { value: 'yes', text: 'Yes: its people may also sign in with a password', checked: values.passwordsAllowed !== 'no' },
        { value: 'no', text: 'No: only through the identity provider', checked: values.passwordsAllowed === 'no' },
      ],
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }
}

const label = (field: string) => ({ issuer: 'The issuer', clientId: 'The client ID', clientSecret: 'The client secret', emailDomains: 'The email domains' })[field] ?? 'This';
