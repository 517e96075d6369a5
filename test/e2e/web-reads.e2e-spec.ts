import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { TEST_PASSWORD, TestApi, asOwner, cycleSteps, startCollaboration, type Collaboration } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/**
 * What a page reads from PostgreSQL: each statement costs a round trip, on every page of every
 * person. The reads themselves, beside TypeORM's, are test/medium/web-reads.
 */
describe('the statements a web page reads with', () => {
  let api: TestApi;
  let web: { app: TestWeb['app'] };
  let c: Collaboration;
  let cookie: string;
  let cycleId: string;

  beforeAll(async () => {
    const started = await startCollaboration();
    api = started.api;
    c = started.c;
    // An independent facilitator's people, whom a cycle's forms also offer (two of the same name: ordered by id).
    const independent = await started.factory.organisation('facilitator');
    await started.factory.user(independent, 'Indie Facilitator');
    await started.factory.user(independent, 'Indie Facilitator');
    cycleId = await c.newCycle({ title: 'Read with few statements' });
    await cycleSteps(c).toFraming(cycleId);
    web = await createWebApp();
    ({ cookie } = await signInOverHttp(web as TestWeb, c.forumUser.email, TEST_PASSWORD));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await web?.app.close();
    await api?.close();
  });

  /** The statements the web app sent while it drew the page (the test's own process: the app runs in it). */
  async function statementsOf(path: string): Promise<string[]> {
    const sent: string[] = [];
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const text = args[0] as string | { text?: string };
      sent.push(typeof text === 'string' ? text : (text?.text ?? ''));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    try {
      await request(web.app.getHttpServer()).get(path).set('Cookie', cookie).expect(200);
    } finally {
      spy.mockRestore();
    }
    return sent;
  }
  const reading = (table: string) => (sql: string) => new RegExp(`FROM "?${table}"? `).test(sql);

  it('finds the signed-in person’s session, user, organisation and unread notifications in one statement', async () => {
    const sent = await statementsOf('/');
    expect(sent.filter(reading('web_sessions'))).toHaveLength(1);
    expect(sent.filter((sql) => /web_sessions/.test(sql))).toHaveLength(1);
    expect(sent.filter((sql) => /notifications/.test(sql))).toEqual([expect.stringMatching(/web_sessions/)]);
    // The frame's count is the one read with the session, as it stands when the page is asked for.
    const unread = () =>
      request(web.app.getHttpServer())
        .get('/')
        .set('Cookie', cookie)
        .expect(200)
        .then((r) => /aria-label="(\d+) unread"/.exec(r.text)?.[1] ?? '0');
    const before = Number(await unread());
    // A notification made and read behind the app's back, as the tables' owner.
    const [note] = await asOwner((m) =>
      m.query(`INSERT INTO notifications (user_id, kind, cycle_id, text, dedupe_key) VALUES ($1, 'task', $2, 'Your turn', $3) RETURNING id`, [c.forumUser.id, cycleId, `reads-${randomUUID()}`]),
    );
    expect(Number(await unread())).toBe(before + 1);
    await asOwner((m) => m.query(`UPDATE notifications SET read_at = now() WHERE id = $1`, [note.id]));
    expect(Number(await unread())).toBe(before);
  });

  it('draws a cycle page with its names (organisations and people) in one statement, and the partnership’s members answering who may see it', async () => {
    await statementsOf(`/cycles/${cycleId}`);
    const sent = await statementsOf(`/cycles/${cycleId}`);
    expect(sent.filter((sql) => /FROM organisations WHERE id = ANY/.test(sql))).toHaveLength(1);
    expect(sent.filter((sql) => /"OrganisationEntity"|"UserEntity"/.test(sql))).toEqual([]);
    // Membership comes with the partnership's one read: no statement of its own.
    expect(sent.filter((sql) => /partnership_members/.test(sql) && !/to_jsonb\(p\)/.test(sql) && !/cycle/i.test(sql))).toEqual([]);
    // The cycle itself is read once: the attachments' rights are worked out from that read.
    expect(sent.filter((sql) => /WITH ORDINALITY AS i\(id, org, known/.test(sql))).toHaveLength(1);
  });

  it('reads the partnership once for the partnership page, though its parts each ask for it', async () => {
    await statementsOf(`/partnerships/${c.partnershipId}`); // the first view makes the agreement
    const sent = await statementsOf(`/partnerships/${c.partnershipId}`);
    expect(sent.filter(reading('anchors'))).toHaveLength(1);
    // The stamp the kept outcome series and items in use are checked against: once for both.
    expect(sent.filter((sql) => /AS versions/.test(sql))).toHaveLength(1);
    // The agreement's members come from the partnership's read too.
    expect(sent.filter((sql) => /FROM partnership_members m WHERE m\.partnership_id = \$1/.test(sql))).toEqual([]);
    // When the person's calendar link expires comes with their session: no read of users of its own.
    expect(sent.filter((sql) => /FROM "users"/.test(sql))).toEqual([]);
  });

  it('draws Your work’s tables with each cycle’s title as text, the same on every view until a cycle moves', async () => {
    const title = `<img src=x onerror="alert(1)"> & 'friends' \\ ${randomUUID().slice(0, 8)}`;
    const id = await c.newCycle({ title });
    const work = () =>
      request(web.app.getHttpServer())
        .get('/')
        .set('Cookie', cookie)
        .expect(200)
        .then((r) => r.text);
    const first = await work();
    const escaped = `&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;friends&#39; &#92; ${title.split(' ').at(-1)}`;
    expect(first).toContain(`<a class="govuk-link" href="/cycles/${id}">${escaped}</a> (iteration 1)`);
    expect(first).not.toContain('<img src=x');
    // Each row's last change, as the page words dates (the cycle is a draft the forum is in: not waiting for it).
    expect(first).toMatch(new RegExp(`href="/cycles/${id}">[^]*?</td>\\s*<td class="govuk-table__cell">Draft</td>\\s*<td class="govuk-table__cell">\\d{1,2} [A-Z][a-z]+ \\d{4} at \\d{2}:\\d{2}</td>`));
    expect(await work()).toBe(first);
    await c.councilUser.as.post(`/v1/cycles/${id}/events`, { type: 'EDIT_DRAFT', title: `${title} renamed` }).expect(200);
    expect(await work()).toContain(`${escaped} renamed</a>`);
  });
});

/** Charts are drawn on the server, and drawing is the dearest part of a cycle page. */
describe('a cycle page’s metric charts', () => {
  let api: TestApi;
  let web: { app: TestWeb['app'] };
  let c: Collaboration;

  beforeAll(async () => {
    ({ api, c } = await startCollaboration());
    web = await createWebApp();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await web?.app.close();
    await api?.close();
  });

  it('are drawn again when their readings change, not when another event moves the cycle on', async () => {
    const { View } = await import('vega');
    const steps = cycleSteps(c);
    const id = await c.newCycle({ title: 'Charts drawn once' });
    await steps.toDelivering(id);
    await steps.ok(c.charityUser.as, id, { type: 'RECORD_PROGRESS', note: 'January', readings: [{ metric: c.outcome.metrics[0].id, value: 23.1 }] });
    const { cookie } = await signInOverHttp(web as TestWeb, c.forumUser.email, TEST_PASSWORD);
    const page = async () => (await request(web.app.getHttpServer()).get(`/cycles/${id}`).set('Cookie', cookie).expect(200)).text;
    const svgOf = (html: string) => /<figure class="app-chart[\s\S]*?(<svg[\s\S]*?<\/svg>)/.exec(html)?.[1];
    // Each chart drawn is one Vega view turned into SVG.
    const draws = jest.spyOn(View.prototype, 'toSVG');
    const first = svgOf(await page());
    expect(first).toBeDefined();
    expect(draws).toHaveBeenCalledTimes(1);
    // A delivery action moves the cycle's version; its readings, and so its chart, stay as they were.
    const owner = c.orgs.council.id;
    await steps.ok(c.councilUser.as, id, { type: 'ADD_ACTION', title: 'Call the next ward', ownerOrganisationId: owner, dueAt: '2031-03-31T17:00:00.000Z' });
    expect(svgOf(await page())).toBe(first);
    expect(draws).toHaveBeenCalledTimes(1);
    // A new reading: drawn again, with it.
    await steps.ok(c.charityUser.as, id, { type: 'RECORD_PROGRESS', note: 'February', readings: [{ metric: c.outcome.metrics[0].id, value: 30.4 }] });
    const second = svgOf(await page());
    expect(draws).toHaveBeenCalledTimes(2);
    expect(second).not.toBe(first);
  });
});
