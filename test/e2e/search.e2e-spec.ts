import request from 'supertest';
import type { AppConfig } from '@app/config';
import { Search1764480000000 } from '@app/database/migrations/1764480000000-search';
import { Agent, Collaboration, Factory, TestApi, TestRelay, asOwner, collaboration, createTestApi, cycleSteps, eventually } from '@test/support';
import { Factory as FactoryClass } from '@test/support/factories';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signedIn, signInOverHttp } from '@test/support/test-web';

interface Item {
  kind: string;
  cycleId: string;
  id: string | null;
  title: string;
  cycleTitle: string;
  withdrawn: boolean;
  snippet: string;
}

/** Search (issue 36, part 3): words with English stemming across what the caller may see, ranked, highlighted, paged. */
describe('search', () => {
  const relay = new TestRelay();
  const saved = { ...process.env };
  const PUBLIC = 'https://cocommission.northshire.gov.uk';
  // Many searches by one person in a few seconds: the expensive reads' limit is not what is tested here.
  const generous = (config: AppConfig): AppConfig => ({ ...config, reads: { ...config.reads, expensivePerMinute: 100000 } });
  let api: TestApi;
  let web: TestWeb;
  let factory: Factory;
  let a: Collaboration;
  let b: Collaboration;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    process.env.SMTP_URL = await relay.start();
    process.env.PUBLIC_WEB_URL = PUBLIC;
    api = await createTestApi({ config: generous });
    web = await createTestWeb({ config: generous });
    factory = await FactoryClass.create(api.http);
    [a, b] = [await collaboration(factory), await collaboration(factory)];
    // Both partnerships write about the same things.
    for (const [name, c] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const steps = cycleSteps(c);
      const id = await c.newCycle({ title: `Loneliness in winter ${name}` });
      await steps.ok(c.councilUser.as, id, { type: 'LAUNCH' });
      await steps.ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Older people commissioned services that never reached the lonely.' });
      for (const u of c.coOwners) await steps.ok(u.as, id, { type: 'ENDORSE_PROBLEM', revision: 1 });
      const first = await steps.ok(c.charityUser.as, id, {
        type: 'SUBMIT_OPTION',
        title: 'Befriending calls',
        summary: 'Volunteers call residents living with loneliness weekly',
        coAuthorOrganisationIds: [],
      });
      const second = await steps.ok(c.forumUser.as, id, { type: 'SUBMIT_OPTION', title: 'Lunch clubs', summary: 'Clubs against loneliness in every ward', coAuthorOrganisationIds: [] });
      await steps.ok(c.forumUser.as, id, { type: 'WITHDRAW_OPTION', optionId: second.options[1].id });
      ids[`${name}.cycle`] = id;
      ids[`${name}.option`] = first.options[0].id;
      ids[`${name}.withdrawn`] = second.options[1].id;
      await c.forumUser.as.post(`/v1/cycles/${id}/comments`, { subject: 'option', subjectId: first.options[0].id, body: 'Loneliness <script>alert(1)</script> & calls' }).expect(201);
      // Learning, in a cycle of its own taken to its review.
      const reviewed = await c.newCycle({ title: `Hospital discharge ${name}` });
      await steps.toReviewing(reviewed);
      await steps.ok(c.panel[0].as, reviewed, { type: 'RECORD_LEARNING', insight: 'Calls eased loneliness after discharge', evidence: 'Residents told the panel', recommendation: 'adapt' });
      ids[`${name}.reviewed`] = reviewed;
    }
  }, 240000);
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await relay.close();
    for (const key of ['SMTP_URL', 'PUBLIC_WEB_URL']) if (saved[key] === undefined) delete process.env[key];
  });

  const search = async (as: Agent, q: string, extra = '') => (await as.get(`/v1/search?q=${encodeURIComponent(q)}${extra}`).expect(200)).body as { items: Item[]; nextCursor: string | null };
  /** Every page of a search, `limit` at a time. */
  const allPages = async (as: Agent, q: string, limit: number) => {
    const items: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search(as, q, `&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      if (cursor) expect(page.items).toHaveLength(limit);
    } while (cursor && pages < 100);
    return items;
  };
  const cyclesOf = (c: Collaboration) => [ids[`${c === a ? 'a' : 'b'}.cycle`], ids[`${c === a ? 'a' : 'b'}.reviewed`]];

  it('finds cycles, options (withdrawn ones marked), learning and comments of the caller’s partnerships only, with stemming', async () => {
    const items = (await search(a.councilUser.as, 'loneliness', '&limit=50')).items;
    expect(new Set(items.map((i) => i.cycleId))).toEqual(new Set(cyclesOf(a)));
    const kinds = items.map((i) => `${i.kind}:${i.cycleId === ids['a.cycle'] ? 'cycle' : 'reviewed'}`).sort();
    expect(kinds).toEqual(['comment:cycle', 'cycle:cycle', 'learning:reviewed', 'option:cycle', 'option:cycle'].sort());
    const withdrawn = items.find((i) => i.kind === 'option' && i.id === ids['a.withdrawn'])!;
    expect(withdrawn).toMatchObject({ title: 'Lunch clubs', withdrawn: true, cycleTitle: 'Loneliness in winter a' });
    expect(items.find((i) => i.kind === 'option' && i.id === ids['a.option'])!.withdrawn).toBe(false);
    expect(items.find((i) => i.kind === 'learning')).toMatchObject({ id: '1', title: 'Calls eased loneliness after discharge', cycleTitle: 'Hospital discharge a' });
    expect(items.find((i) => i.kind === 'comment')).toMatchObject({ title: 'Loneliness in winter a', cycleTitle: 'Loneliness in winter a' });
    // The other partnership's, the same words, found by its own members only.
    expect(new Set((await search(b.charityUser.as, 'loneliness', '&limit=50')).items.map((i) => i.cycleId))).toEqual(new Set(cyclesOf(b)));
    // Stemming: "commissioning" finds "commissioned".
    expect((await search(a.icbUser.as, 'commissioning')).items.map((i) => [i.kind, i.cycleId])).toEqual([['cycle', ids['a.cycle']]]);
    // The admin sees both.
    const everything = (await search(factory.admin, 'commissioning', '&limit=50')).items.map((i) => i.cycleId);
    expect(everything).toEqual(expect.arrayContaining([ids['a.cycle'], ids['b.cycle']]));
  });

  it('pages are stable and complete, and neither a page nor a next cursor gives away another partnership’s documents', async () => {
    const whole = (await search(a.councilUser.as, 'loneliness', '&limit=50')).items;
    for (const limit of [1, 2, 3]) {
      const paged = await allPages(a.councilUser.as, 'loneliness', limit);
      expect(paged).toEqual(whole);
    }
    // Exactly as many pages as a's own documents need: the last page of one at a time says there is no next one, though b has more.
    const last = await allPages(a.councilUser.as, 'loneliness', whole.length);
    expect(last).toHaveLength(whole.length);
    const page = await search(a.councilUser.as, 'loneliness', `&limit=${whole.length}`);
    expect(page.nextCursor).toBeNull();
    // A cursor is for its query; anything else is refused.
    const first = await search(a.councilUser.as, 'loneliness', '&limit=1');
    await a.councilUser.as.get(`/v1/search?q=calls&cursor=${first.nextCursor}`).expect(400);
    for (const bad of ['nonsense', 'eyJhIjoxfQ', '%E2%80%A8', 'a'.repeat(400)]) await a.councilUser.as.get(`/v1/search?q=loneliness&cursor=${bad}`).expect(400);
  });

  it('ranks a title’s hit before a body’s, and highlights the hits in an escaped snippet', async () => {
    const steps = cycleSteps(a);
    const inBody = await a.newCycle({ title: 'Falls prevention' });
    await steps.toFraming(inBody);
    await steps.ok(a.charityUser.as, inBody, { type: 'REVISE_PROBLEM', statement: 'Residents in Hedgehog Lane fall at home.' });
    const inTitle = await a.newCycle({ title: 'Hedgehog Lane day centre' });
    const items = (await search(a.councilUser.as, 'hedgehog')).items;
    expect(items.map((i) => i.cycleId)).toEqual([inTitle, inBody]);
    expect(items[1].snippet).toContain('<mark>Hedgehog</mark>');
    expect(items[0].snippet).toBe('<mark>Hedgehog</mark> Lane day centre');
    const comment = (await search(a.councilUser.as, 'loneliness calls')).items.find((i) => i.kind === 'comment')!;
    expect(comment.snippet).toBe('<mark>Loneliness</mark> &#60;script&#62;alert(1)&#60;/script&#62; &#38; <mark>calls</mark>');
  });

  it('a hidden comment is not found; after an erasure or a redaction the words are not found either', async () => {
    const steps = cycleSteps(b);
    const posted = await b.charityUser.as.post(`/v1/cycles/${ids['b.cycle']}/comments`, { subject: 'revision', subjectId: '1', body: 'The aardvark scheme worked in Leeds' }).expect(201);
    expect((await search(b.councilUser.as, 'aardvark')).items.map((i) => i.id)).toEqual([posted.body.id]);
    await b.councilUser.as.post(`/v1/cycles/${ids['b.cycle']}/comments/${posted.body.id}/hide`, { reason: 'Off topic' }).expect(200);
    expect((await search(b.councilUser.as, 'aardvark')).items).toEqual([]);

    // Erasure: a forum member who only commented.
    const talker = await factory.user(b.orgs.forum);
    await talker.as.post(`/v1/cycles/${ids['b.cycle']}/comments`, { subject: 'revision', subjectId: '1', body: 'My neighbour Zebedee Quist lives alone' }).expect(201);
    expect((await search(b.councilUser.as, 'Zebedee')).items).toHaveLength(1);
    await factory.admin.post(`/v1/users/${talker.id}/erase`, { reason: 'Erasure request DP-7' }).expect(200);
    expect((await search(b.councilUser.as, 'Zebedee')).items).toEqual([]);
    expect((await search(b.councilUser.as, 'erased')).items.map((i) => i.kind)).toContain('comment');

    // Redaction of a problem statement.
    const id = await b.newCycle({ title: 'Winter fuel' });
    await steps.toFraming(id);
    await steps.ok(b.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Mrs Ermintrude Pike of Elm Road cannot heat her home.' });
    expect((await search(b.councilUser.as, 'Ermintrude')).items.map((i) => i.cycleId)).toEqual([id]);
    const history: { seq: number; type: string }[] = (await b.councilUser.as.get(`/v1/cycles/${id}/history?limit=100`).expect(200)).body.items;
    const revision = history.filter((e) => e.type === 'REVISE_PROBLEM').pop()!;
    await factory.admin.post(`/v1/cycles/${id}/history/${revision.seq}/redact`, { field: 'statement', reason: 'Names a resident' }).expect(200);
    expect((await search(b.councilUser.as, 'Ermintrude')).items).toEqual([]);
    // Only the latest revision is searched.
    await steps.ok(b.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Cold homes on Elm Road.' });
    expect((await search(b.councilUser.as, 'redacted')).items.map((i) => i.cycleId)).not.toContain(id);
    expect((await search(b.councilUser.as, 'cold homes')).items.map((i) => i.cycleId)).toEqual([id]);
  });

  it('an independent facilitator finds only the cycles that name them', async () => {
    const mediator = await factory.user(await factory.organisation('facilitator', 'Independent Search Mediation'));
    const named = await a.newCycle({ title: 'Loneliness mediated', facilitatorUserIds: [mediator.id] });
    const items = (await search(mediator.as, 'loneliness', '&limit=50')).items;
    expect(new Set(items.map((i) => i.cycleId))).toEqual(new Set([named]));
    // Named later, their search follows: the cycle and its comments.
    const later = await a.newCycle({ title: 'Loneliness handed to mediation' });
    await cycleSteps(a).toFraming(later);
    await a.charityUser.as.post(`/v1/cycles/${later}/comments`, { subject: 'revision', subjectId: '1', body: 'Loneliness is the root of it' }).expect(201);
    expect((await search(mediator.as, 'loneliness', '&limit=50')).items.map((i) => i.cycleId)).not.toContain(later);
    await cycleSteps(a).ok(a.councilUser.as, later, { type: 'CHANGE_FACILITATORS', facilitatorUserIds: [a.facilitator.id, mediator.id] });
    const now = (await search(mediator.as, 'loneliness', '&limit=50')).items;
    expect(
      now
        .filter((i) => i.cycleId === later)
        .map((i) => i.kind)
        .sort(),
    ).toEqual(['comment', 'cycle']);
    expect(new Set(now.map((i) => i.cycleId))).toEqual(new Set([named, later]));
  });

  it('refuses a bad q with 400; only common words find nothing', async () => {
    for (const q of ['', '%20%20', 'x'.repeat(201), 'lone%00liness', '%ED%A0%80']) await a.councilUser.as.get(`/v1/search?q=${q}`).expect(400);
    await a.councilUser.as.get('/v1/search').expect(400);
    await a.councilUser.as.get('/v1/search?q=a&q=b').expect(400);
    await a.councilUser.as.get('/v1/search?q=loneliness&limit=51').expect(400);
    await a.councilUser.as.get('/v1/search?q=loneliness&limit=0').expect(400);
    const refused = await a.councilUser.as.get('/v1/search?q=').expect(400);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(await search(a.councilUser.as, 'the and of')).toEqual({ items: [], nextCursor: null });
    expect(await search(a.councilUser.as, '"!!" & | :*')).toEqual({ items: [], nextCursor: null });
    await factory.anonymous().get('/v1/search?q=loneliness').expect(401);
  });

  it('the migration fills the index from the cycles and comments already there (down, then up again, as the tables’ owner)', async () => {
    const before = await allPages(a.councilUser.as, 'loneliness', 50);
    const others = await allPages(b.councilUser.as, 'loneliness', 50);
    expect(before.length).toBeGreaterThan(5);
    await asOwner(async (m) => {
      const migration = new Search1764480000000();
      await migration.down(m.queryRunner!);
      await migration.up(m.queryRunner!);
    });
    expect(await allPages(a.councilUser.as, 'loneliness', 50)).toEqual(before);
    expect(await allPages(b.councilUser.as, 'loneliness', 50)).toEqual(others);
    // And the apps' role still writes it (the triggers run as the writer).
    const posted = await a.forumUser.as.post(`/v1/cycles/${ids['a.cycle']}/comments`, { subject: 'revision', subjectId: '1', body: 'Loneliness again, after the migration' }).expect(201);
    expect((await search(a.councilUser.as, 'migration')).items.map((i) => i.id)).toEqual([posted.body.id]);
  });

  describe('web', () => {
    const http = () => web.app.getHttpServer();

    it('every page’s header has a search box (a GET form); the results page marks the hits, escapes the rest, and pages', async () => {
      const { cookie } = await signInOverHttp(web, a.councilUser.email, 'correct-horse-battery-staple');
      const home = await request(http()).get('/').set('Cookie', cookie).expect(200);
      expect(home.text).toMatch(/<form method="get" action="\/search" role="search"[^>]*>[\s\S]*?name="q"/);
      const empty = await request(http()).get('/search').set('Cookie', cookie).expect(200);
      expect(empty.text).toContain('<h1 class="govuk-heading-xl">Search</h1>');
      const page = await request(http()).get('/search?q=loneliness').set('Cookie', cookie).expect(200);
      expect(page.text).toContain('<mark>Loneliness</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; calls');
      expect(page.text).not.toContain('<script>alert(1)');
      expect(page.text).toContain(`href="/cycles/${ids['a.cycle']}#option-${ids['a.option']}"`);
      expect(page.text).toContain('Withdrawn');
      expect(page.text).not.toContain(ids['b.cycle']);
      const tooLong = await request(http())
        .get(`/search?q=${'x'.repeat(201)}`)
        .set('Cookie', cookie)
        .expect(400);
      expect(tooLong.text).toContain('Enter at most 200 characters');
      await request(http()).get('/search?q=lone%00liness').set('Cookie', cookie).expect(400);
      // Paged, 20 to a page: each "More results" link leads to the next, and the last has none.
      for (let n = 1; n <= 23; n += 1) {
        await a.forumUser.as.post(`/v1/cycles/${ids['a.cycle']}/comments`, { subject: 'revision', subjectId: '1', body: `Parrot number ${n}` }).expect(201);
      }
      const found: string[] = [];
      let next: string | undefined = '/search?q=parrots';
      let pages = 0;
      for (; next && pages < 5; pages += 1) {
        const res: request.Response = await request(http()).get(next).set('Cookie', cookie).expect(200);
        found.push(...[...res.text.matchAll(/class="govuk-link govuk-!-font-weight-bold" href="([^"]+)"/g)].map((m) => m[1]));
        next = /<a class="govuk-link" href="([^"]+)">More results<\/a>/.exec(res.text)?.[1]?.replaceAll('&amp;', '&');
      }
      expect(pages).toBe(2);
      expect(new Set(found).size).toBe(23);
      await request(http()).get('/search?q=loneliness').expect(303);
    });

    it('in a browser without JavaScript, the header’s box opens the results; the pages have no serious or critical accessibility problem, wide and at 375 px', async () => {
      // Without JavaScript: the header's GET form.
      const plain = await signedIn(web, a.councilUser.email, 'correct-horse-battery-staple', { javaScript: false });
      try {
        await plain.page.fill('#app-search-q', 'loneliness calls');
        await plain.page.press('#app-search-q', 'Enter');
        await plain.page.waitForURL((url) => url.pathname === '/search');
        expect(await plain.page.locator('.app-search-snippet mark').count()).toBeGreaterThan(0);
      } finally {
        await plain.context.close();
      }
      const { context, page } = await signedIn(web, a.councilUser.email, 'correct-horse-battery-staple');
      try {
        for (const width of [1100, 375]) {
          await page.setViewportSize({ width, height: 900 });
          for (const path of ['/search?q=loneliness+calls', '/search?q=nothing+matches+xylophone', `/search?q=${'x'.repeat(201)}`]) {
            await page.goto(path);
            expect({ path, width, problems: await accessibilityProblems(page) }).toEqual({ path, width, problems: [] });
          }
        }
        await page.setViewportSize({ width: 1100, height: 900 });
        await page.goto('/search?q=loneliness');
        await screenshot(page, 'search-results');
      } finally {
        await context.close();
      }
    }, 120000);

    it('a guest finds only the cycle they were invited to', async () => {
      const email = 'robin.search@guests.example.org';
      const before = relay.to(email).length;
      await a.councilUser.as.post(`/v1/cycles/${ids['a.cycle']}/invitations`, { email, name: 'Robin Search', role: 'voice' }).expect(201);
      const mails = await eventually(
        () => relay.to(email),
        (list) => list.length > before,
      );
      const token = new RegExp(`${PUBLIC}/invitations/([\\w-]+)`).exec(mails[mails.length - 1].text ?? '')![1];
      const followed = await request(http()).get(`/invitations/${token}`).expect(303);
      const cookie = [followed.headers['set-cookie']]
        .flat()
        .find((v) => v?.startsWith('cocommission_session='))!
        .split(';')[0];
      const page = await request(http()).get('/search?q=loneliness').set('Cookie', cookie).expect(200);
      const links = [...page.text.matchAll(/href="\/cycles\/([0-9a-f-]{36})/g)].map((m) => m[1]);
      expect(links.length).toBeGreaterThan(0);
      expect(new Set(links)).toEqual(new Set([ids['a.cycle']]));
    });
  });
});
