import request from 'supertest';
import { TEST_PASSWORD, TestApi, cycleSteps, startCollaboration } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

/** A cycle with a long problem history: the page lists the newest revisions and compares only the pair shown. */
describe('the cycle page of a long-lived cycle', () => {
  let api: TestApi;
  let web: { app: TestWeb['app'] };
  let cookie: string;
  let id: string;
  let forum: { as: import('@test/support').Agent };

  beforeAll(async () => {
    const started = await startCollaboration();
    api = started.api;
    const { c } = started;
    const steps = cycleSteps(c);
    id = await c.newCycle({ title: 'Long-lived' });
    await steps.toFraming(id);
    for (let i = 2; i <= 14; i++) await steps.ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement: `Statement number ${i} of the problem` });
    forum = c.forumUser;
    web = await createWebApp();
    ({ cookie } = await signInOverHttp(web as TestWeb, c.forumUser.email, TEST_PASSWORD));
  });
  afterAll(async () => {
    await web?.app.close();
    await api?.close();
  });

  const page = (query = '') =>
    request(web.app.getHttpServer())
      .get(`/cycles/${id}${query}`)
      .set('Cookie', cookie)
      .expect(200)
      .then((r) => r.text);

  it('lists the newest ten revisions, compares the newest with the one before, and links the rest', async () => {
    const html = await page();
    const latest = Number(/Revision (\d+) is the latest/.exec(html)![1]);
    expect(html).toContain(`id="revision-${latest}"`);
    expect(html).toContain(`id="revision-${latest - 9}"`);
    expect(html).not.toContain(`id="revision-${latest - 10}"`);
    expect(html.match(/What changed from revision/g)).toHaveLength(1);
    expect(html).toContain(`What changed from revision ${latest - 1}`);
    expect(html).toContain(`?compare=${latest - 3}#revision-${latest - 3}`);
    expect(html).toContain(`Show all ${latest} revisions`);
  });

  it('compares the pair asked for, and lists every revision when asked', async () => {
    const html = await page('?compare=3&revisions=all');
    expect(html).toContain('id="revision-1"');
    expect(html).toContain('What changed from revision 2');
    expect(html.match(/What changed from revision/g)).toHaveLength(2);
    expect(html).not.toContain('Show all');
    // Odd values are ignored.
    expect(await page('?compare=x&revisions=some')).toContain('What changed from revision');
  });

  it('shows the history 25 entries at a time, newest first, the older ones a link away', async () => {
    for (let i = 0; i < 12; i++) await forum.as.post(`/v1/cycles/${id}/events`, { type: 'REVISE_PROBLEM', statement: `Later statement ${i}` }).expect(200);
    const historyOf = (html: string) => html.slice(html.indexOf('id="history"'), html.indexOf('</details>', html.indexOf('id="history"')));
    const seqsOf = (section: string) => [...section.matchAll(/<td class="govuk-table__cell">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    const html = await page();
    const version = Number(/The history of (\d+) entries is intact/.exec(html)![1]);
    expect(version).toBeGreaterThan(25);
    const newest = historyOf(html);
    expect(newest).toContain(`Show the newest 25 of ${version} entries`);
    expect(seqsOf(newest)).toEqual(Array.from({ length: 25 }, (_, i) => version - i));
    const oldest = version - 24;
    expect(newest).toContain(`href="/cycles/${id}?history=${oldest}#history"`);
    expect(newest).not.toContain('Newest entries');
    // The page before: open, the entries before the oldest shown, a way back and (here) none older.
    const older = historyOf(await page(`?history=${oldest}`));
    expect(older).toMatch(/^id="history" open>/);
    expect(older).toContain(`Entries 1 to ${oldest - 1} of ${version}`);
    expect(seqsOf(older)).toEqual(Array.from({ length: oldest - 1 }, (_, i) => oldest - 1 - i));
    expect(older).toContain(`href="/cycles/${id}#history"`);
    expect(older).not.toContain('Older entries');
    // Anything but an entry's number shows the newest.
    expect(historyOf(await page('?history=abc'))).toContain(`Show the newest 25 of ${version} entries`);
  });

  it('Your work is kept between views, and changes as soon as the cycle moves on', async () => {
    const work = () =>
      request(web.app.getHttpServer())
        .get('/')
        .set('Cookie', cookie)
        .expect(200)
        .then((r) => r.text);
    const latest = Number(/Revision (\d+) is the latest/.exec(await page())![1]);
    expect(await work()).toContain(`Your organisation has not endorsed revision ${latest}`);
    expect(await work()).toContain(`Your organisation has not endorsed revision ${latest}`);
    await forum.as.post(`/v1/cycles/${id}/events`, { type: 'ENDORSE_PROBLEM', revision: latest }).expect(200);
    expect(await work()).not.toContain(`Your organisation has not endorsed revision ${latest}`);
  });
});
