import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { loadConfig } from '@app/config';
import { OrganisationKind } from '@app/accounts';
import { Agent, TestApi, agent, createTestApi } from './test-app';

export const TEST_PASSWORD = 'correct-horse-battery-staple';
const unique = () => randomUUID().slice(0, 8);

export async function login(http: App, email: string, password: string): Promise<string> {
  const res = await request(http)
    .post('/v1/auth/login')
    .set('X-Forwarded-For', `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1`)
    .send({ email, password });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

export interface TestUser {
  id: string;
  email: string;
  organisationId: string;
  as: Agent;
}

export interface TestOrganisation {
  id: string;
  name: string;
  kind: OrganisationKind;
}

/** Small factories over the public API, so that tests read like the product's own use. */
export class Factory {
  private constructor(
    readonly http: App,
    readonly admin: Agent,
  ) {}

  static async create(http: App): Promise<Factory> {
    const config = loadConfig();
    return new Factory(http, agent(http, await login(http, config.admin.email, config.admin.password!)));
  }

  anonymous(): Agent {
    return agent(this.http);
  }

  async organisation(kind: OrganisationKind, name = `${kind} ${unique()}`): Promise<TestOrganisation> {
    const res = await this.admin.post('/v1/organisations', { name, kind });
    if (res.status !== 201) throw new Error(`organisation: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async user(organisation: { id: string }, name = `User ${unique()}`): Promise<TestUser> {
    const email = `${unique()}@example.org`;
    const res = await this.admin.post('/v1/users', { email, name, password: TEST_PASSWORD, organisationId: organisation.id });
    if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, email, organisationId: organisation.id, as: agent(this.http, await login(this.http, email, TEST_PASSWORD)) };
  }

  /** A lead of the organisation (signed in after becoming one: a role change ends earlier tokens). */
  async lead(organisation: { id: string }, name = `Lead ${unique()}`): Promise<TestUser> {
    const user = await this.user(organisation, name);
    const res = await this.admin.patch(`/v1/users/${user.id}`, { role: 'lead' });
    if (res.status !== 200) throw new Error(`lead: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...user, as: agent(this.http, await login(this.http, user.email, TEST_PASSWORD)) };
  }

  /** A commissioner, a provider and a community organisation, each with one user, in one partnership. */
  async partnership() {
    const [council, provider, community] = await Promise.all([this.organisation('commissioner'), this.organisation('provider'), this.organisation('community')]);
    const [commissioner, providerUser, communityUser] = await Promise.all([this.user(council), this.user(provider), this.user(community)]);
    const res = await commissioner.as.post('/v1/partnerships', {
      name: `Partnership ${unique()}`,
      memberOrganisationIds: [provider.id, community.id],
    });
    if (res.status !== 201) throw new Error(`partnership: ${res.status} ${JSON.stringify(res.body)}`);
    await this.acceptInvitations(res.body.id, [provider.id, community.id]);
    return { id: res.body.id as string, council, provider, community, commissioner, providerUser, communityUser };
  }

  /** The invited organisations join: an admin accepts each invitation (as their leads could). */
  async acceptInvitations(partnershipId: string, organisationIds: string[]): Promise<void> {
    for (const organisationId of organisationIds) {
      const res = await this.admin.post(`/v1/partnerships/${partnershipId}/invitations/${organisationId}/accept`, {});
      if (res.status !== 200) throw new Error(`accepting ${organisationId}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}

/**
 * A realistic collaboration: a county council and an ICB commissioning, a provider charity and a
 * residents' forum co-owning, a review panel of residents and a council officer, and
 * a neutral facilitator, with one outcome and its metric. panel[1] speaks for no co-owner (a
 * resident from a lived-experience network); panel[0] is a forum resident, panel[2] a council officer.
 */
export async function collaboration(factory: Factory) {
  const [council, icb, charity, forum, mediation, livedExperience] = await Promise.all([
    factory.organisation('commissioner', 'Northshire County Council'),
    factory.organisation('commissioner', 'Northshire ICB'),
    factory.organisation('provider', 'Age Well Northshire'),
    factory.organisation('community', "Northshire Residents' Forum"),
    factory.organisation('community', 'Northshire Mediation Service'),
    factory.organisation('community', 'Northshire Lived Experience Network'),
  ]);
  const [councilUser, icbUser, charityUser, forumUser, panelResident, panelResident2, panelOfficer, facilitator] = await Promise.all([
    factory.user(council),
    factory.user(icb),
    factory.user(charity),
    factory.user(forum),
    factory.user(forum),
    factory.user(livedExperience),
    factory.user(council),
    factory.user(mediation),
  ]);
  const partnership = await councilUser.as
    .post('/v1/partnerships', { name: `Healthy Lives ${unique()}`, memberOrganisationIds: [icb.id, charity.id, forum.id, mediation.id, livedExperience.id] })
    .expect(201);
  await factory.acceptInvitations(partnership.body.id, [icb.id, charity.id, forum.id, mediation.id, livedExperience.id]);
  const outcome = await councilUser.as
    .post(`/v1/partnerships/${partnership.body.id}/outcomes`, {
      title: 'Older people stay well at home',
      metrics: [{ name: 'Emergency admissions 65+', unit: 'per 1,000', baseline: 24.5, target: 20, direction: 'decrease' }],
    })
    .expect(201);
  const cycleBody = {
    partnershipId: partnership.body.id as string,
    title: 'Staying well at home this winter',
    commissionerOrganisationIds: [council.id, icb.id],
    providerOrganisationIds: [charity.id],
    communityOrganisationIds: [forum.id],
    panelUserIds: [panelResident.id, panelResident2.id, panelOfficer.id],
    facilitatorUserIds: [facilitator.id],
    outcomeIds: [outcome.body.id as string],
  };
  const coOwners = [councilUser, icbUser, charityUser, forumUser];
  const panel = [panelResident, panelResident2, panelOfficer];
  return {
    partnershipId: partnership.body.id as string,
    outcome: outcome.body as { id: string; metrics: { id: string; name: string }[] },
    orgs: { council, icb, charity, forum, mediation, livedExperience },
    councilUser,
    icbUser,
    charityUser,
    forumUser,
    panel,
    facilitator,
    coOwners,
    cycleBody,
    async newCycle(overrides: Partial<typeof cycleBody> = {}): Promise<string> {
      const res = await councilUser.as.post('/v1/cycles', { ...cycleBody, ...overrides });
      if (res.status !== 201) throw new Error(`cycle: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
  };
}
export type Collaboration = Awaited<ReturnType<typeof collaboration>>;

/** Sending a collaboration's events over HTTP, and walking a cycle to a stage the way its people would. */
export function cycleSteps(c: Collaboration) {
  const send = (as: Agent, id: string, body: object) => as.post(`/v1/cycles/${id}/events`, body);
  const ok = async (as: Agent, id: string, body: object) => {
    const res = await send(as, id, body);
    if (res.status !== 200) throw new Error(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  async function toFraming(id: string) {
    await ok(c.councilUser.as, id, { type: 'LAUNCH' });
    return ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted to hospital in winter.' });
  }
  async function toOptions(id: string) {
    await toFraming(id);
    let view;
    for (const u of c.coOwners) view = await ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
    return view;
  }
  async function toDeciding(id: string) {
    await toOptions(id);
    const v = await ok(c.charityUser.as, id, { type: 'SUBMIT_OPTION', title: 'Winter calls', summary: 'Weekly calls', coAuthorOrganisationIds: [c.orgs.forum.id] });
    await ok(c.councilUser.as, id, { type: 'CLOSE_OPTIONS' });
    return v.options[0].id as string;
  }
  async function toDelivering(id: string) {
    const optionId = await toDeciding(id);
    const v = await ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const proposalId = v.decision.proposals[0].id;
    let view;
    for (const u of c.coOwners) view = await ok(u.as, id, { type: 'CONSENT', proposalId });
    return view;
  }
  async function toReviewing(id: string) {
    await toDelivering(id);
    return ok(c.councilUser.as, id, { type: 'START_REVIEW' });
  }
  return { send, ok, toFraming, toOptions, toDeciding, toDelivering, toReviewing };
}

/** The API and a factory over it, for a test file's `beforeAll`. */
export async function startTestApi(): Promise<{ api: TestApi; factory: Factory }> {
  const api = await createTestApi();
  return { api, factory: await Factory.create(api.http) };
}

/** The API, a factory, a realistic collaboration and its steps, for a test file's `beforeAll`. */
export async function startCollaboration() {
  const { api, factory } = await startTestApi();
  const c = await collaboration(factory);
  return { api, factory, c, steps: cycleSteps(c) };
}

/** Waits (a little) for what a background worker should bring about. */
export async function eventually<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 20000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`Not yet after ${ms} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
