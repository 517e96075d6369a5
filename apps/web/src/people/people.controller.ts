/** The people pages: admins manage every user, leads their organisation's, and everyone their own password. */
import { Body, Controller, Get, Inject, Ip, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AccountsService,
  AdminActStands,
  ChangePasswordDto,
  CreatePersonalTokenDto,
  CreateUserDto,
  EMAIL_PREFERENCES,
  MAX_TOKEN_DAYS,
  PersonalAccessTokensService,
  PreferencesDto,
  TokenScope,
  UNUSABLE_EMAIL,
  UpdateUserDto,
  UserChanges,
  WebSession,
  WebSessionsService,
  isAdmin,
} from '@app/accounts';
import { NotificationMailService } from '@app/notifications';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Conflict, Forbidden, RateLimited, TransitionRefused, ValidationFailed } from '@app/domain';
import { IdPipe } from '@app/http';
import { Param } from '@nestjs/common';
import { checkForm, choice, number, text, typed } from '../http/form';
import { LayoutService } from '../http/layout.service';
import { SESSION_COOKIE, Session } from '../http/session.guard';
import type { FormError } from '../views/filters';

const UserId = () => Param('id', new IdPipe('user'));
const DONE: Record<string, string> = {
  user: 'The user is added',
  changed: 'The changes are saved',
  password: 'Your password is changed. You are still signed in here; every other sign-in has ended.',
  email: 'Your email choice is saved',
  revoked: 'The token is revoked: it no longer works',
};
/** The field of the page a service's field problem belongs on. */
const FIELD_IDS: Record<string, string> = { password: 'password', newPassword: 'new-password', currentPassword: 'current-password' };

/**
 * People: admins manage every user, an organisation's leads its own (the same AccountsService
 * rules as the API); everyone changes their own password.
 */
@Controller()
export class PeopleController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sessions: WebSessionsService,
    private readonly mail: NotificationMailService,
    private readonly personalTokens: PersonalAccessTokensService,
    private readonly layout: LayoutService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('people')
  async list(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.renderList(res, 200, session, { done: done && Object.hasOwn(DONE, done) ? DONE[done] : undefined });
  }

  /** A lead adds a user of their own organisation (admins add users from the admin page). */
  @Post('people')
  async add(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const organisationId = this.organisationManaged(session);
    // A password left empty is sent as empty: the account rules' words for it, as the API's.
    const { value: input, errors } = await checkForm(
      CreateUserDto,
      { name: text(body, 'name'), email: text(body, 'email'), password: typed(body, 'password') ?? '', organisationId: organisationId ?? '' },
      {
        name: { field: 'user-name', text: 'Enter the person’s name (200 characters at most)' },
        email: { field: 'user-email', text: 'Enter an email address like name@example.org' },
        password: { field: 'user-password', text: 'The password must be 1,024 characters at most' },
        organisationId: { field: 'user-name', text: 'Add people of no organisation from the admin page' },
      },
    );
    if (!errors.length) {
      try {
        await this.accounts.createUser(input, session.principal);
        return res.redirect(303, '/people?done=user');
      } catch (error) {
        // The same words whoever has the address (this organisation or another): a lead learns nothing of other organisations' people.
        if (error instanceof Conflict) errors.push({ field: 'user-email', text: UNUSABLE_EMAIL });
        else if (error instanceof ValidationFailed) errors.push(...error.errors.map((e) => ({ field: e.field === 'password' ? 'user-password' : 'user-email', text: `The password ${e.message}` })));
        else throw error;
      }
    }
    await this.renderList(res, 400, session, { errors, values: { ...body, password: '' } });
  }

  @Get('people/:id')
  async person(@Session() session: WebSession, @UserId() id: string, @Res() res: Response) {
    await this.renderPerson(res, 200, session, id, {});
  }

  @Post('people/:id')
  async change(@Session() session: WebSession, @UserId() id: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const { value: changes, errors } = await checkForm(
      UpdateUserDto,
      {
        active: choice(body, 'active', 'yes', 'no'),
        representative: choice(body, 'representative', 'yes', 'no'),
        role: text(body, 'role'),
        password: text(body, 'password') && typed(body, 'password'),
      },
      {
        active: { field: 'active', text: 'Choose whether the account is active' },
        representative: { field: 'representative', text: 'Choose whether they represent their organisation' },
        role: { field: 'role', text: 'Choose member or lead' },
        password: { field: 'password', text: 'The password must be 1,024 characters at most' },
      },
    );
    if (errors.length) return this.renderPerson(res, 400, session, id, { errors });
    try {
      await this.accounts.updateUser(session.principal, id, changes as UserChanges);
      return res.redirect(303, isAdmin(session.principal) || session.principal.role === 'lead' ? '/people?done=changed' : '/');
    } catch (error) {
      if (error instanceof AdminActStands) return this.renderPerson(res, 403, session, id, { errors: [{ field: error.field, text: error.message }] });
      if (!(error instanceof ValidationFailed)) throw error;
      const errors = error.errors.map((e) => ({ field: FIELD_IDS[e.field] ?? e.field, text: `${e.field === 'password' ? 'The password' : 'This'} ${e.message}` }));
      await this.renderPerson(res, 400, session, id, { errors });
    }
  }

  @Get('account')
  async account(@Session() session: WebSession, @Query('done') done: string | undefined, @Res() res: Response) {
    await this.renderAccount(res, 200, session, { done: done && Object.hasOwn(DONE, done) ? DONE[done] : undefined });
  }

  @Post('account/email')
  async emailPreference(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const { value, errors } = await checkForm(PreferencesDto, { email: text(body, 'email') }, { email: { field: 'email', text: 'Choose how you get emails' } });
    if (errors.length) return this.renderAccount(res, 400, session, { errors });
    await this.accounts.setEmailPreference(session.user.id, value.email);
    res.redirect(303, '/account?done=email#email');
  }

  /** A new password ends every other sign-in; this browser gets a new session of the new generation. */
  @Post('account/password')
  async changePassword(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Ip() address: string, @Res() res: Response) {
    const typedIn = { currentPassword: typed(body, 'currentPassword'), newPassword: typed(body, 'newPassword') };
    const { value, errors } = await checkForm(ChangePasswordDto, typedIn, {
      currentPassword: { field: 'current-password', text: typedIn.currentPassword ? 'The current password must be 1,024 characters at most' : 'Enter your current password' },
      newPassword: { field: 'new-password', text: typedIn.newPassword ? 'The new password must be 1,024 characters at most' : 'Enter a new password' },
    });
    const { currentPassword: current, newPassword: next } = value;
    if (!errors.length) {
      try {
        const user = await this.accounts.changePassword(session.principal, current, next, address);
        const fresh = await this.sessions.start(user);
        res.cookie(SESSION_COOKIE, fresh.token, {
          httpOnly: true,
          sameSite: 'lax',
          secure: this.config.web.secureCookies,
          path: '/',
          maxAge: fresh.expiresAt.getTime() - Date.now(),
        });
        return res.redirect(303, '/account?done=password');
      } catch (error) {
        if (error instanceof RateLimited) {
          res.setHeader('Retry-After', String(error.retryAfterSeconds));
          return this.renderAccount(res, 429, session, { errors: [{ field: 'current-password', text: error.message }] });
        }
        if (!(error instanceof ValidationFailed)) throw error;
        errors.push(...error.errors.map((e) => ({ field: FIELD_IDS[e.field], text: `${e.field === 'currentPassword' ? 'This' : 'The new password'} ${e.message}` })));
      }
    }
    await this.renderAccount(res, 400, session, { errors });
  }

  /** A personal access token, shown on the page this once (only its hash is kept). */
  @Post('account/tokens')
  async createToken(@Session() session: WebSession, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const days = text(body, 'expiresInDays');
    const { value, errors } = await checkForm(
      CreatePersonalTokenDto,
      { name: text(body, 'name'), scope: text(body, 'scope'), expiresInDays: number(body, 'expiresInDays', /^\d{1,3}$/) },
      {
        name: { field: 'token-name', text: 'Enter a name for the token (100 characters at most), such as the system that uses it' },
        scope: { field: 'token-scope', text: 'Choose what the token may do' },
        expiresInDays: { field: 'token-days', text: `Enter how many days the token works, from 1 to ${MAX_TOKEN_DAYS}` },
      },
    );
    const values = { name: text(body, 'name') ?? '', scope: text(body, 'scope'), expiresInDays: days ?? '' };
    if (errors.length) return this.renderAccount(res, 400, session, { errors, tokenValues: values });
    try {
      const { token, record } = await this.personalTokens.create(session.principal, value);
      await this.renderAccount(res, 201, session, { newToken: { token, name: record.name, scope: record.scope, expiresAt: record.expiresAt } });
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      await this.renderAccount(res, 422, session, { errors: [{ field: 'token-name', text: error.message }], tokenValues: values });
    }
  }

  @Post('account/tokens/:id/revoke')
  async revokeToken(@Session() session: WebSession, @Param('id', new IdPipe('token')) id: string, @Res() res: Response) {
    await this.personalTokens.revoke(session.user.id, id);
    res.redirect(303, '/account?done=revoked#tokens');
  }

  /** The organisation whose users the caller manages: null for admins (all), a lead's own, else 403. */
  private organisationManaged(session: WebSession): string | null {
    if (isAdmin(session.principal)) return null;
    if (session.principal.role === 'lead' && session.principal.organisationId) return session.principal.organisationId;
    throw new Forbidden('Only platform admins, and leads for their own organisation, manage users.');
  }

  private async renderList(res: Response, status: number, session: WebSession, extra: { done?: string; errors?: FormError[]; values?: Record<string, unknown> }) {
    const organisationId = this.organisationManaged(session);
    const users = await this.accounts.listUsers(organisationId ?? undefined);
    res.status(status).render('people', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: organisationId ? `People of ${session.user.organisation?.name ?? 'your organisation'}` : 'People',
      leadsOne: organisationId !== null,
      organisationId,
      users: users.map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        organisationName: u.organisation?.name ?? 'Platform admin',
        role: u.role === 'lead' ? 'Lead' : u.role === 'admin' ? 'Platform admin' : 'Member',
        representative: u.representative,
        active: u.active,
      })),
      values: extra.values ?? {},
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }

  private async renderPerson(res: Response, status: number, session: WebSession, id: string, extra: { errors?: FormError[] }) {
    const organisationId = this.organisationManaged(session);
    const user = await this.accounts.getUser(id);
    if (organisationId && user.organisationId !== organisationId) throw new Forbidden('Only platform admins, and leads for their own organisation, manage users.');
    const yesNo = (value: boolean) => [
      { value: 'yes', text: 'Yes', checked: value },
      { value: 'no', text: 'No', checked: !value },
    ];
    res.status(status).render('person', {
      ...(await this.layout.of(session)),
      section: 'people',
      title: user.name,
      person: { id: user.id, name: user.name, email: user.email, organisationName: user.organisation?.name ?? 'Platform admin', isAdmin: user.role === 'admin' },
      self: user.id === session.user.id,
      // A person of an organisation: a colleague of it may take over their seats (HandoverController).
      handsOver: user.organisationId !== null && user.role !== 'admin' && user.role !== 'guest',
      setsPasswords: isAdmin(session.principal),
      activeItems: [
        { value: 'yes', text: 'Active: may sign in', checked: user.active },
        { value: 'no', text: 'Deactivated: every sign-in ends at once', checked: !user.active },
      ],
      roleItems: [
        { value: 'member', text: 'Member', checked: user.role === 'member' },
        { value: 'lead', text: 'Lead: manages the organisation’s people', checked: user.role === 'lead' },
      ],
      representativeItems: yesNo(user.representative),
      errors: extra.errors ?? [],
    });
  }

  private async renderAccount(
    res: Response,
    status: number,
    session: WebSession,
    extra: { done?: string; errors?: FormError[]; newToken?: { token: string; name: string; scope: TokenScope; expiresAt: Date }; tokenValues?: Record<string, unknown> },
  ) {
    const [user, tokens, hasPassword] = await Promise.all([this.accounts.getUser(session.user.id), this.personalTokens.list(session.user.id), this.accounts.hasPassword(session.user.id)]);
    const tokenValues = extra.tokenValues ?? {};
    const now = Date.now();
    const labels = { immediate: 'Each one as it happens', daily: 'One digest each working morning, at 8am', off: 'No emails: I will look in the service' };
    res.status(status).render('account', {
      emailItems: EMAIL_PREFERENCES.map((value) => ({ value, text: labels[value], checked: user.emailPreference === value })),
      mailTarget: this.mail.target,
      ...(await this.layout.of(session)),
      section: 'account',
      title: 'Your account',
      mustChangePassword: user.mustChangePassword,
      hasPassword,
      tokens: tokens.map((t) => ({ ...t, scopeText: t.scope === 'read' ? 'Read only' : 'Read and write', expired: t.expiresAt.getTime() <= now })),
      newToken: extra.newToken,
      tokenValues,
      scopeItems: [
        { value: 'read', text: 'Read only', hint: { text: 'It can look, but any change is refused' }, checked: tokenValues.scope === 'read' },
        { value: 'write', text: 'Read and write', hint: { text: 'It can do anything you can do' }, checked: tokenValues.scope === 'write' },
      ],
      maxTokenDays: MAX_TOKEN_DAYS,
      done: extra.done,
      errors: extra.errors ?? [],
    });
  }
}
