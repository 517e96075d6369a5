import request from 'supertest';
import { TEST_PASSWORD, TestApi, TestUser, startCollaboration } from '@test/support';
import { type TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';
import { DIFF_LIMITS, WordDiffs } from '../../apps/web/src/http/word-diffs.service';

/** Texts of so many characters whose words (letters and digits) differ from those of any other seed. */
const wordsOf = (seed: string, chars: number) => {
  let text = '';
  for (let i = 0; text.length < chars; i++) text += `${seed}${i.toString(36)} `;
  return text.slice(0, chars).trim();
};

/**
 * The word differences on the cycle and agreement pages are compared once per pair of texts (the
 * comparison counted through WordDiffs.compare, the one place it is made), and a pair too large to
 * compare says so and shows the two texts plainly.
 */
describe('word differences on the web pages', () => {
  let api: TestApi;
  let web: { app: TestWeb['app'] };
  let cookie: string;
  let compare: jest.SpyInstance;
  let started: Awaited<ReturnType<typeof startCollaboration>>;

  beforeAll(async () => {
    started = await startCollaboration();
    api = started.api;
    web = await createWebApp();
    ({ cookie } = await signInOverHttp(web as TestWeb, started.c.councilUser.email, TEST_PASSWORD));
    compare = jest.spyOn(web.app.get(WordDiffs), 'compare');
  }, 60000);
  afterAll(async () => {
    compare?.mockRestore();
    await web?.app.close();
    await api?.close();
  });
  beforeEach(() => compare.mockClear());

  const get = (path: string) =>
    request(web.app.getHttpServer())
      .get(path)
      .set('Cookie', cookie)
      .expect(200)
      .then((r) => r.text);

  describe('the cycle page', () => {
    let id: string;
    beforeAll(async () => {
      const { c, steps } = started;
      id = await c.newCycle({ title: 'Compared once' });
      await steps.toFraming(id);
      await steps.ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted to hospital in winter, most of them from home.' });
    });

    it('compares the newest pair once, however often the page is viewed', async () => {
      for (let i = 0; i < 3; i++) {
        const html = await get(`/cycles/${id}`);
        expect(html).toContain('What changed from revision 1');
        expect(html).toContain('most of them from home');
      }
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare).toHaveBeenCalledWith('Too many older people are admitted to hospital in winter.', 'Too many older people are admitted to hospital in winter, most of them from home.');
    });

    it('a pair too large to compare word by word says so, shows the two texts plainly, and is not compared again', async () => {
      const { c, steps } = started;
      const before = wordsOf('alpha', 19_000);
      const after = wordsOf('omega', 19_000);
      await steps.ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: before });
      await steps.ok(c.charityUser.as, id, { type: 'REVISE_PROBLEM', statement: after });
      for (let i = 0; i < 2; i++) {
        const html = await get(`/cycles/${id}`);
        expect(html).toContain('Revision 3 and this one are too large to compare word by word: read the two side by side.');
        expect(html).toContain('Revision 3, to read beside this one');
        expect(html).not.toContain('What changed from revision 3');
        // Revision 3 as listed, and again beside revision 4 (listed, and in the form that revises it).
        const beside = html.slice(html.indexOf('Revision 3, to read beside this one'), html.indexOf('</details>', html.indexOf('Revision 3, to read beside this one')));
        expect(beside).toContain(before);
        expect(html.split(before).length - 1).toBe(2);
        expect(html).toContain(after);
      }
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare).toHaveBeenCalledWith(before, after);
    });
    it('an older pair asked for is compared once, and one compared before (by its texts) not again', async () => {
      for (let i = 0; i < 2; i++) expect(await get(`/cycles/${id}?compare=2#revision-2`)).toContain('What changed from revision 1');
      expect(compare).not.toHaveBeenCalled();
      for (let i = 0; i < 2; i++) expect(await get(`/cycles/${id}?compare=3`)).toContain('Revision 2 and this one are too large to compare word by word');
      expect(compare).toHaveBeenCalledTimes(1);
    });
  });

  describe('the agreement page', () => {
    const agreement = (who: TestUser, body: object) => who.as.post(`/v1/partnerships/${started.c.partnershipId}/agreement/events`, body).expect(200);
    const number = async () => (await started.c.councilUser.as.get(`/v1/partnerships/${started.c.partnershipId}/agreement`).expect(200)).body.current.number as number;
    const page = () => get(`/partnerships/${started.c.partnershipId}/agreement`);

    beforeAll(async () => {
      const { c } = started;
      await agreement(c.councilUser, { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well at home', horizonYear: 2035, principles: ['Decide together'] });
      const agreed = await number();
      for (const who of [c.councilUser, c.icbUser, c.charityUser, c.forumUser, c.facilitator, c.panel[1]]) await agreement(who, { type: 'CONSENT_AGREEMENT', number: agreed });
      await agreement(c.charityUser, { type: 'REOPEN_AGREEMENT', reason: 'The new ICB strategy' });
      await agreement(c.charityUser, { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well and independently at home', horizonYear: 2035, principles: ['Decide together'] });
    });

    it('compares the version under consultation with the agreed one once, however often the page is viewed', async () => {
      for (let i = 0; i < 3; i++) expect(await page()).toMatch(/What changed from the agreed version \d+/);
      expect(compare).toHaveBeenCalledTimes(1);
    });

    it('a version beyond the size limit is not compared at all: the page says so and shows both versions plainly', async () => {
      const principles = Array.from({ length: 25 }, (_, i) => wordsOf(`principle${i}x`, 900));
      expect(principles.join('\n').length).toBeGreaterThan(DIFF_LIMITS.maxChars);
      await agreement(started.c.charityUser, { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well at home, asked first', horizonYear: 2035, principles });
      const html = await page();
      expect(html).toMatch(/This version and the agreed version \d+ are too large to compare word by word: read the two side by side\./);
      expect(html).toMatch(/The agreed version \d+, to read beside this one/);
      expect(html).not.toContain('What changed from the agreed version');
      for (const p of principles) expect(html).toContain(p);
      // The agreed version's text, beside this one.
      expect(html).toContain('<li>Decide together</li>');
      expect(compare).not.toHaveBeenCalled();
    });
  });
});
