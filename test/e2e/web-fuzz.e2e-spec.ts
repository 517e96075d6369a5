import fc from 'fast-check';
import request from 'supertest';
import { Collaboration, Factory, TEST_PASSWORD, TestApi, asOwner, collaboration, createTestApi } from '@test/support';
import { BAD_BYTES, percentEncoded } from '@test/support/ill-formed';
import { TestWeb, createTestWeb, signInOverHttp } from '@test/support/test-web';

/**
 * Random forms, with the session's token, to every form of the web app (and random ids in their
 * addresses): never a 5xx, always an HTML page or a redirect. Plus what a browser or proxy may
 * send that is broken: bodies too large, broken percent-encoding, unknown pages. Prototype keys
 * (`__proto__`, `toString`, ...) go wherever a name goes, and query parameters come repeated.
 * Text that is not well-formed in any field or query: a 400 page, and no other person's form fails.
 */
describe('fuzzing the web app’s forms', () => {
  let api: TestApi;
  let web: TestWeb;
  let c: Collaboration;
  let cookie: string;
  let csrf: string;
  let ids: Record<string, string>;

  const signIn = (email: string, password: string) => signInOverHttp(web, email, password);

  beforeAll(async () => {
    api = await createTestApi();
    web = await createTestWeb();
    const factory = await Factory.create(api.http);
    c = await collaboration(factory);
    const cycleId = await c.newCycle();
    const anchor = (await c.councilUser.as.post(`/v1/partnerships/${c.partnershipId}/anchors`, { name: 'A', date: '2027-05-01' })).body;
    ids = { cycle: cycleId, partnership: c.partnershipId, anchor: anchor.id };
    ({ cookie, csrf } = await signIn(c.councilUser.email, TEST_PASSWORD));
  }, 60000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  const routes = [
    '/cycles/:cycle/events',
    '/cycles/:cycle/milestones',
    '/cycles/:cycle/milestones/:id/cancel',
    '/cycles/:cycle/invitations',
    '/cycles/:cycle/invitations/:id/withdraw',
    '/cycles/:cycle/attachments',
    '/cycles/:cycle/attachments/:id/withdraw',
    '/partnerships',
    '/partnerships/:partnership/outcomes',
    '/partnerships/:partnership/table',
    '/partnerships/:partnership/anchors',
    '/partnerships/:partnership/anchors/:anchor',
    '/partnerships/:partnership/cycles',
    '/admin/organisations',
    '/admin/users',
    '/admin/retention',
    '/notifications/:id/read',
    '/partnerships/:partnership/agreement/events',
    '/partnerships/:partnership/agreement/review',
    '/partnerships/:partnership/agreement/review/cancel',
    '/partnerships/:partnership/webhooks',
    '/partnerships/:partnership/webhooks/:id/remove',
    '/partnerships/:partnership/members/:id/remove',
    '/partnerships/:partnership/public',
    '/people',
    '/people/:id',
    '/people/:id/handover',
    '/people/:id/handover/check',
    '/account/password',
    '/account/email',
    '/unsubscribe',
  ];
  const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
  const garbageId = fc.constantFrom('not-a-uuid', '00000000-0000-4000-8000-000000000000', '%20', '..', 'x'.repeat(300));
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '0', '-1', '99999999999', 'NaN', '31', '2', '2027', 'LAUNCH', 'RECORD_PROGRESS', 'framingDue', ...PROTOTYPE_KEYS),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  );
  const field = fc.constantFrom(
    'type',
    'statement',
    'revision',
    'reason',
    'title',
    'summary',
    'optionId',
    'optionIds',
    'proposalId',
    'note',
    'reading_x',
    'score_y',
    'outcome',
    'kind',
    'anchorId',
    'offset',
    'unit',
    'date-day',
    'date-month',
    'date-year',
    'name',
    'email',
    'password',
    'organisationId',
    'on',
    'off',
    'panelUserIds',
    'memberOrganisationIds',
    'providerOrganisationIds',
    'communityOrganisationIds',
    'facilitatorUserIds',
    'toUserId',
    'outcomeIds',
    'coAuthorOrganisationIds',
    'destination',
    'principles',
    'metric',
    'baseline',
    'target',
    'direction',
    'next',
    'whatsInItForUs',
    'readiness',
    'concerns',
    'horizonYear',
    'number',
    'version',
    'url',
    'events',
    'currentPassword',
    'newPassword',
    'active',
    'representative',
    'role',
    'user',
    'token',
    'amountPence',
    'estimatedCostPence',
    'dueAt',
    'actionId',
    'ownerOrganisationId',
    'alloc_x_y',
    ...PROTOTYPE_KEYS,
  );

  it('answers every random form with a page or a redirect, never a 5xx', async () => {
    const http = web.app.getHttpServer();
    await fc.assert(
      fc.asyncProperty(fc.nat(routes.length - 1), fc.dictionary(field, value, { maxKeys: 8 }), fc.boolean(), garbageId, async (r, form, realIds, garbage) => {
        const path = routes[r].replace(/:(\w+)/g, (_, name: string) => (realIds && ids[name] ? ids[name] : garbage));
        const res = await request(http)
          .post(path)
          .set('Cookie', cookie)
          .type('form')
          .send({ ...form, _csrf: csrf });
        expect({ path, form, status: res.status }).toEqual({ path, form, status: expect.any(Number) });
        expect(res.status).toBeLessThan(500);
        if (res.status !== 303) expect(res.headers['content-type']).toContain('text/html');
      }),
      { numRuns: 300 },
    );
  }, 120000);

  it('answers every page with repeated or prototype-named query parameters with a page or a redirect, never a 5xx', async () => {
    const http = web.app.getHttpServer();
    const pages = [
      '/',
      '/cycles/:cycle',
      '/partnerships',
      '/partnerships/:partnership',
      '/partnerships/:partnership/cycles/new',
      '/partnerships/:partnership/agreement',
      '/partnerships/:partnership/funding',
      '/partnerships/:partnership/learning.csv',
      '/partnerships/:partnership/readings.csv',
      '/partnerships/:partnership/funding.csv',
      '/cycles/:cycle/history.csv',
      '/public/partnerships/:partnership',
      '/notifications',
      '/people',
      '/account',
      '/unsubscribe',
      '/admin',
      '/admin/retention',
      '/privacy',
      '/sign-in',
      '/accessibility',
      '/cookies',
    ];
    const queryKey = fc.constantFrom('next', 'cursor', 'page', 'tab', 'signed-out', 'error', ...PROTOTYPE_KEYS, 'next[x]');
    const query = fc
      .array(fc.tuple(queryKey, fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('/', '//evil.example', ...PROTOTYPE_KEYS)), { minLength: 1, maxLength: 3 })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((pairs) => pairs.flatMap(([key, values]) => values.map((v) => `${encodeURIComponent(key)}=${encodeURIComponent(v)}`)).join('&'));
    await fc.assert(
      fc.asyncProperty(fc.nat(pages.length - 1), query, async (p, search) => {
        const path = `${pages[p].replace(/:(\w+)/g, (_, name: string) => ids[name])}?${search}`;
        const res = await request(http).get(path).set('Cookie', cookie);
        expect({ path, status: res.status }).toEqual({ path, status: expect.any(Number) });
        expect(res.status).toBeLessThan(500);
        if (res.status !== 303 && res.status !== 302) expect(res.headers['content-type']).toMatch(path.includes('.csv?') && res.status === 200 ? /^text\/csv/ : /text\/html/);
      }),
      { numRuns: 80 },
    );
  }, 120000);

  /**
   * Text that is not well-formed, as a form or an address carries it: percent-encoded bytes that
   * are not UTF-8 (invalid, overlong, truncated, an encoded high or low surrogate, past U+10FFFF, a
   * continuation alone), or such bytes sent raw. (A lone surrogate cannot be percent-encoded but as
   * the bytes of one, which are among them.)
   */
  /** A form's bytes in which one field's value (or name) holds such text: alone, at either end, or in the middle. */
  const illFormedForm = fc
    .tuple(fc.dictionary(field, fc.string({ maxLength: 12 }), { maxKeys: 4 }), field, fc.constantFrom(...BAD_BYTES), fc.constantFrom('alone', 'start', 'end', 'middle'), fc.boolean(), fc.boolean())
    .map(([form, name, bytes, where, raw, asName]) => {
      const good = Object.entries(form).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
      const bad = raw ? Buffer.from(bytes) : Buffer.from(percentEncoded(bytes));
      const around = Buffer.from(encodeURIComponent('é x'));
      const text = { alone: [bad], start: [bad, around], end: [around, bad], middle: [around, bad, around] }[where];
      const own = asName ? [...text, Buffer.from('=x')] : [Buffer.from(`${encodeURIComponent(name)}=`), ...text];
      return Buffer.concat([Buffer.from(`${[...good, `_csrf=${encodeURIComponent(csrf)}`].join('&')}&`), ...own]);
    });
  const postRaw = (path: string, session: string, bytes: Buffer) =>
    request(web.app.getHttpServer())
      .post(path)
      .set('Cookie', session)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .serialize((b: Buffer) => b as unknown as string)
      .send(bytes);

  it('answers every form or address holding text that is not well-formed with a 400 page, and changes nothing', async () => {
    const http = web.app.getHttpServer();
    const fingerprint = async () =>
      JSON.stringify(
        await asOwner((m) =>
          m.query(
            `SELECT (SELECT count(*) FROM partnerships) AS p, (SELECT sum(version) FROM cycles) AS v, (SELECT count(*) FROM milestones) AS m, (SELECT count(*) FROM anchors) AS a, (SELECT count(*) FROM users) AS u`,
          ),
        ),
      );
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(fc.nat(routes.length - 1), illFormedForm, async (r, bytes) => {
        const path = routes[r].replace(/:(\w+)/g, (_, name: string) => ids[name] ?? ids.cycle);
        const res = await postRaw(path, cookie, bytes);
        expect({ path, form: bytes.toString('latin1'), status: res.status }).toEqual({ path, form: bytes.toString('latin1'), status: 400 });
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.text).toContain('not well-formed');
      }),
      { numRuns: 150 },
    );
    const pages = ['/', '/cycles/:cycle', '/partnerships/:partnership', '/notifications', '/sign-in', '/people'];
    await fc.assert(
      fc.asyncProperty(fc.nat(pages.length - 1), fc.constantFrom('next', 'cursor', 'tab', 'q'), fc.constantFrom(...BAD_BYTES), async (p, key, bytes) => {
        const path = `${pages[p].replace(/:(\w+)/g, (_, name: string) => ids[name])}?${key}=a${percentEncoded(bytes)}`;
        const res = await request(http).get(path).set('Cookie', cookie);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.headers['content-type']).toContain('text/html');
      }),
      { numRuns: 40 },
    );
    expect(await fingerprint()).toBe(before);
  }, 120000);

  it('refuses forms holding text that is not well-formed sent alongside other people’s forms, and writes every good one', async () => {
    // Each co-owner revises the problem of a cycle of their own in the web app while the others send
    // statements that are not well-formed: no good form may fail for it.
    const people = await Promise.all(c.coOwners.map(async (p) => ({ ...p, session: await signIn(p.email, TEST_PASSWORD) })));
    const good = await Promise.all(people.map(() => c.newCycle()));
    const bad = await Promise.all(people.map(() => c.newCycle()));
    for (const id of [...good, ...bad]) await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'LAUNCH' }).expect(200);
    const http = web.app.getHttpServer();
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all([
        ...people.map((p, i) =>
          request(http)
            .post(`/cycles/${good[i]}/events`)
            .set('Cookie', p.session.cookie)
            .type('form')
            .send({ _csrf: p.session.csrf, type: 'REVISE_PROBLEM', statement: `Round ${round} by ${i}` }),
        ),
        ...people.flatMap((p, i) => {
          const bytes = BAD_BYTES[(round + i) % BAD_BYTES.length];
          const form = `_csrf=${encodeURIComponent(p.session.csrf)}&type=REVISE_PROBLEM&statement=`;
          return [
            postRaw(`/cycles/${bad[i]}/events`, p.session.cookie, Buffer.from(`${form}x${percentEncoded(bytes)}`)),
            postRaw(`/cycles/${bad[i]}/events`, p.session.cookie, Buffer.concat([Buffer.from(form), Buffer.from(bytes), Buffer.from('x')])),
          ];
        }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([...people.map(() => 303), ...people.flatMap(() => [400, 400])]);
    }
    for (const id of good) expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(2 + rounds);
    for (const id of bad) expect((await c.councilUser.as.get(`/v1/cycles/${id}`)).body.version).toBe(2);
  }, 60000);

  it('ends sessions: on sign-out, when they run out, and only for the session signed out', async () => {
    const http = web.app.getHttpServer();
    const first = await signIn(c.charityUser.email, TEST_PASSWORD);
    const second = await signIn(c.charityUser.email, TEST_PASSWORD);
    await request(http).post('/sign-out').set('Cookie', first.cookie).type('form').send({ _csrf: first.csrf }).expect(303).expect('location', '/sign-in?signed-out');
    await request(http).get('/').set('Cookie', first.cookie).expect(303).expect('location', '/sign-in');
    await request(http).get('/').set('Cookie', second.cookie).expect(200);
    // Only a hash of the cookie's secret is stored.
    const secret = decodeURIComponent(second.cookie.split('=')[1]);
    expect(await asOwner((m) => m.query('SELECT 1 FROM web_sessions WHERE token_hash = $1', [secret]))).toHaveLength(0);
    await asOwner((m) => m.query(`UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [c.charityUser.id]));
    await request(http).get('/').set('Cookie', second.cookie).expect(303).expect('location', '/sign-in');
  });

  it('turns broken requests into 4xx pages', async () => {
    const http = web.app.getHttpServer();
    await request(http)
      .post('/partnerships/' + ids.partnership + '/table')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, on: 'x'.repeat(400_000) })
      .expect(413);
    await request(http)
      .get('/cycles/%E0%A4%A')
      .set('Cookie', cookie)
      .expect((res) => expect(res.status).toBeLessThan(500));
    // Ids that were not chosen from the page's lists (found by the fuzzing above, once a 500).
    await request(http).post('/partnerships').set('Cookie', cookie).type('form').send({ _csrf: csrf, name: 'P', memberOrganisationIds: ' ' }).expect(400);
    await request(http).post(`/partnerships/${ids.partnership}/cycles`).set('Cookie', cookie).type('form').send({ _csrf: csrf, title: 'T', panelUserIds: 'x' }).expect(400);
    await request(http).post(`/cycles/${ids.cycle}/milestones`).set('Cookie', cookie).type('form').send({ _csrf: csrf, kind: 'framingDue', anchorId: 'x', offset: '1' }).expect(400);
    await request(http)
      .get('/no/such/page')
      .set('Cookie', cookie)
      .expect(404)
      .expect('content-type', /text\/html/);
    await request(http).get('/cycles/00000000-0000-4000-8000-000000000000').set('Cookie', cookie).expect(404);
    await request(http).post(`/partnerships/${ids.partnership}/table`).set('Cookie', cookie).type('form').send({ on: 'x' }).expect(403);
    await request(http).get('/').set('Cookie', 'cocommission_session=forged').expect(303).expect('location', '/sign-in');
  });
});
