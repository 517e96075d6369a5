import request from 'supertest';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NotificationMailService } from '@app/notifications';
import { Collaboration, Factory, TestApi, TestRelay, TestUser, TestWorker, asOwner, collaboration, createTestWorker, eventually, cycleSteps, fastWorkerEnvironment, startTestApi } from '@test/support';
import { counted, deliveries } from '@app/http';
import { createWebApp } from '@test/support/test-web';

/** Email through a real SMTP server: who gets what, retries, the daily digest, one-click unsubscribe. */
describe('email', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  let api: TestApi;
  let worker: TestWorker;
  let web: NestExpressApplication;
  let factory: Factory;
  let c: Collaboration;
  let mail: NotificationMailService;

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = 'https://cocommission.northshire.gov.uk';
    process.env.MAIL_BACKOFF_MS = '100';
    process.env.MAIL_ATTEMPTS = '4';
    fastWorkerEnvironment();
    ({ api, factory } = await startTestApi());
    worker = await createTestWorker();
    web = (await createWebApp()).app;
    mail = api.app.get(NotificationMailService);
    c = await collaboration(factory);
  }, 60000);
  afterAll(async () => {
    await worker?.close();
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL', 'MAIL_BACKOFF_MS', 'MAIL_ATTEMPTS']) if (saved[key] === undefined) delete process.env[key];
  });

  it('a proposal reaches each co-owner’s representatives (or users) by email, with a working link and one-click unsubscribe', async () => {
    const colleague: TestUser = await factory.user(c.orgs.charity, 'Charity colleague');
    await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: true }).expect(200);
    const steps = cycleSteps(c);
    const id = await c.newCycle({ title: 'Winter calls 2027' });
    const optionId = await steps.toDeciding(id);
    const sentBefore = relay.received.length;
    await steps.ok(c.icbUser.as, id, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const isProposal = (m: { subject?: string }) => m.subject?.startsWith('Consent to the proposed decision') ?? false;
    for (const who of [c.councilUser, c.forumUser, c.charityUser]) {
      const [email, ...more] = await eventually(
        () => relay.to(who.email).filter(isProposal),
        (list) => list.length > 0,
      );
      expect(more).toEqual([]);
      expect(email.subject).toBe('Consent to the proposed decision, or object to it: “Winter calls 2027”');
      expect(email.text).toContain(`https://cocommission.northshire.gov.uk/cycles/${id}`);
      expect(email.html).toContain(`href="https://cocommission.northshire.gov.uk/cycles/${id}"`);
      expect(TestRelay.header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(TestRelay.header(email, 'List-Unsubscribe')).toMatch(/^<https:\/\/cocommission\.northshire\.gov\.uk\/unsubscribe\?user=[0-9a-f-]{36}&token=[\w-]+>$/);
    }
    expect(relay.received.length).toBeGreaterThan(sentBefore);
    expect(relay.to(colleague.email)).toEqual([]);

    // The forum's link works without signing in: a page to confirm, then a one-click POST turns email off.
    const forumMail = relay.to(c.forumUser.email).find(isProposal)!;
    const link = new URL(/<([^>]+)>/.exec(TestRelay.header(forumMail, 'List-Unsubscribe')!)![1]);
    const path = `${link.pathname}${link.search}`;
    await request(web.getHttpServer())
      .get(path)
      .expect(200)
      .expect(/Stop emails/);
    await request(web.getHttpServer())
      .post(path)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200)
      .expect(/You are unsubscribed/);
    expect((await c.forumUser.as.get('/v1/me').expect(200)).body.emailPreference).toBe('off');
    // A tampered link changes nothing.
    const tampered = path.replace(/token=[\w-]+/, 'token=AAAA');
    await request(web.getHttpServer()).post(tampered).type('form').send('List-Unsubscribe=One-Click').expect(400);
    await request(web.getHttpServer()).post(path.replace(c.forumUser.id, c.councilUser.id)).type('form').send('List-Unsubscribe=One-Click').expect(400);
    expect((await c.councilUser.as.get('/v1/me').expect(200)).body.emailPreference).toBe('immediate');
    await factory.admin.patch(`/v1/users/${c.charityUser.id}`, { representative: false }).expect(200);
  });

  it('a relay that answers 451 twice, then accepts, delivers exactly one email, and the log shows all three tries', async () => {
    const org = await factory.organisation('provider', 'Greylisted Charity');
    const person = await factory.user(org, 'Greylisted person');
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [org.id] }).expect(201);
    await factory.acceptInvitations(c.partnershipId, [org.id]);
    const id = await c.newCycle({ title: 'Greylisting', providerOrganisationIds: [org.id], communityOrganisationIds: [] });
    relay.refuse(person.email, 2);
    const [sentBefore, retriedBefore] = await Promise.all([counted(deliveries, { channel: 'email', outcome: 'sent' }), counted(deliveries, { channel: 'email', outcome: 'retried' })]);
    const steps = cycleSteps(c);
    await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
    await steps.ok(c.councilUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Winter admissions' });
    const [email, ...more] = await eventually(
      () => relay.to(person.email),
      (list) => list.length > 0,
    );
    expect(more).toEqual([]);
    expect(email.subject).toBe('Endorse revision 1 of the problem, or object to it: “Greylisting”');
    expect(relay.refused).toBeGreaterThanOrEqual(2);
    const { items } = (await person.as.get('/v1/me/notifications').expect(200)).body;
    const log = await asOwner((m) => m.query(`SELECT status FROM notification_deliveries WHERE notification_id = $1 ORDER BY at, id`, [items[0].id]));
    expect(log.map((d: { status: string }) => d.status)).toEqual(['refused', 'refused', 'sent']);
    await new Promise((r) => setTimeout(r, 600));
    expect(relay.to(person.email)).toHaveLength(1);
    // The metrics count the tries: two retried, at least this one sent.
    expect(await counted(deliveries, { channel: 'email', outcome: 'retried' })).toBeGreaterThanOrEqual(retriedBefore + 2);
    expect(await counted(deliveries, { channel: 'email', outcome: 'sent' })).toBeGreaterThanOrEqual(sentBefore + 1);
  });

  it('a worker that dies after the relay accepted an email, before marking it sent, sends it again: one duplicate, nothing lost', async () => {
    const org = await factory.organisation('provider', 'Crash Charity');
    const person = await factory.user(org, 'Crash person');
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [org.id] }).expect(201);
    await factory.acceptInvitations(c.partnershipId, [org.id]);
    const id = await c.newCycle({ title: 'Crash mid-send', providerOrganisationIds: [org.id], communityOrganisationIds: [] });
    // The worker's "death": marking the first try sent fails, as a process killed at that moment would never do it.
    const repository = worker.app.get(NotificationMailService)['notifications'];
    const record = repository.recordDelivery.bind(repository);
    let died = false;
    const spy = jest.spyOn(repository, 'recordDelivery').mockImplementation(async (...args: Parameters<typeof record>) => {
      if (args[2] === 'sent' && !died && (await repository.emailToSend(args[0][0]))?.userId === person.id) {
        died = true;
        throw new Error('worker killed');
      }
      return record(...args);
    });
    try {
      const steps = cycleSteps(c);
      await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
      await steps.ok(c.councilUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Winter admissions' });
      const emails = await eventually(
        () => relay.to(person.email),
        (list) => list.length >= 2,
      );
      expect(emails.map((e) => e.subject)).toEqual(['Endorse revision 1 of the problem, or object to it: “Crash mid-send”', 'Endorse revision 1 of the problem, or object to it: “Crash mid-send”']);
      const { items } = (await person.as.get('/v1/me/notifications').expect(200)).body;
      await eventually(
        () => repository.deliveries(items[0].id),
        (log: { status: string }[]) => log.some((d) => d.status === 'sent'),
      );
      await new Promise((r) => setTimeout(r, 600));
      expect(relay.to(person.email)).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('the daily digest: one email at 08:00 on a working day with everything new, none on a Saturday, none when there is nothing', async () => {
    const org = await factory.organisation('community', 'Digest Forum');
    const reader = await factory.user(org, 'Digest reader');
    await reader.as.put('/v1/me/preferences', { email: 'daily' }).expect(200, { email: 'daily' });
    await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/members`, { organisationIds: [org.id] }).expect(201);
    await factory.acceptInvitations(c.partnershipId, [org.id]);
    const id = await c.newCycle({ title: 'Digest cycle', communityOrganisationIds: [org.id], providerOrganisationIds: [c.orgs.charity.id] });
    const steps = cycleSteps(c);
    await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
    await steps.ok(c.councilUser.as, id, { type: 'REVISE_PROBLEM', statement: 'First' });
    await steps.ok(c.councilUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Second' });
    // Routed to the digest, not sent at once: both revisions' notifications (the worker routes each
    // in its own time; the digest is sent only once both are there).
    await eventually(
      () => mail.digestsDue(new Date('2027-03-01T08:00:00Z')),
      (due) => due.some((d) => d.userId === reader.id),
    );
    await eventually(
      () => asOwner((m) => m.query(`SELECT id FROM notifications WHERE user_id = $1 AND email_status = 'digest'`, [reader.id])),
      (items: unknown[]) => items.length >= 2,
    );
    expect(relay.to(reader.email)).toEqual([]);
    // Saturday 6 March 2027: no digest. Monday 1 March 2027, 08:00 in England: one.
    expect((await mail.digestsDue(new Date('2027-03-06T08:00:00Z'))).some((d) => d.userId === reader.id)).toBe(false);
    expect(await mail.sendDigest(reader.id, 1)).toBe('sent');
    const [digest, ...more] = relay.to(reader.email);
    expect(more).toEqual([]);
    expect(digest.subject).toBe('Your Cocommission digest: 2 new, 1 waiting for you');
    expect(digest.text).toContain('Endorse revision 2 of the problem, or object to it: “Digest cycle”');
    expect(digest.text).toContain('Endorse revision 1 of the problem, or object to it: “Digest cycle” (already done)');
    expect(await mail.sendDigest(reader.id, 1)).toBe('nothing');
    expect(relay.to(reader.email)).toHaveLength(1);
  });
});
