import { buffer } from 'node:stream/consumers';
import request from 'supertest';
import { TokenService } from '@app/accounts';
import { OpenDataService } from '@app/open-data';
import { CsvCell, csvFile } from '@app/http';
import { Collaboration, TEST_PASSWORD, TestApi, cycleSteps, startCollaboration } from '@test/support';
import { createWebApp, signInOverHttp, type TestWeb } from '@test/support/test-web';

/** learning.csv is read a page of cycles at a time as it is written, not built in memory first. */
describe('the learning download, streamed', () => {
  let api: TestApi;
  let c: Collaboration;
  let steps: ReturnType<typeof cycleSteps>;
  const cycles: string[] = [];
  const columns = ['cycleId', 'cycle', 'iteration', 'at', 'writtenBy', 'organisationId', 'organisation', 'recommendation', 'insight', 'evidence'];

  /** A cycle in review with two pieces of learning, one of them with text a spreadsheet could run. */
  async function cycleWithLearning(title: string): Promise<string> {
    const id = await c.newCycle({ title });
    await steps.toReviewing(id);
    await steps.ok(c.panel[1].as, id, { type: 'RECORD_LEARNING', insight: `Calls helped, "mostly", in ${title}`, evidence: '=SUM(A1)', recommendation: 'adapt' });
    await steps.ok(c.charityUser.as, id, { type: 'RECORD_LEARNING', insight: 'Start in October,\nnot November', recommendation: 'continue' });
    return id;
  }

  /** The file as it was built before: every cycle's learning, in memory, through the same CSV writer. */
  async function expectedFile(): Promise<string> {
    const names = new Map(Object.values(c.orgs).map((o) => [o.id, o.name]));
    const rows: CsvCell[][] = [];
    for (const id of cycles) {
      const view = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
      for (const l of view.review.learnings)
        rows.push([view.id, view.title, view.iteration, l.at, l.writtenBy, l.organisationId, l.organisationId ? names.get(l.organisationId)! : null, l.recommendation, l.insight, l.evidence]);
    }
    // As bytes (a TextDecoder would drop the byte-order mark).
    return (await buffer(csvFile({ filename: 'learning.csv', columns, rows }).body)).toString('utf8');
  }

  beforeAll(async () => {
    ({ api, c, steps } = await startCollaboration());
    for (const title of ['Winter one', 'Winter two', 'Winter three']) cycles.push(await cycleWithLearning(title));
    // A page of one cycle: three pages, and one more that finds none.
    Object.assign(api.app.get(OpenDataService), { learningPageSize: 1 });
  }, 120000);
  afterAll(() => api.close());

  it('sends the same bytes as the file built in memory, chunked, from the API and the web app alike', async () => {
    const expected = await expectedFile();
    expect(expected.split('\r\n').length).toBeGreaterThan(7);
    const res = await request(api.http)
      .get(`/v1/partnerships/${c.partnershipId}/learning.csv`)
      .set('Authorization', `Bearer ${c.councilUser.as.token}`)
      .buffer(true)
      .parse((r, done) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (body += chunk));
        r.on('end', () => done(null, body));
      })
      .expect(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body).toBe(expected);
    const web = await createWebApp();
    try {
      Object.assign(web.app.get(OpenDataService), { learningPageSize: 1 });
      const { cookie } = await signInOverHttp({ app: web.app } as TestWeb, c.councilUser.email, TEST_PASSWORD);
      const page = await request(web.app.getHttpServer()).get(`/partnerships/${c.partnershipId}/learning.csv`).set('Cookie', cookie).expect(200);
      expect(page.headers['transfer-encoding']).toBe('chunked');
      expect(page.text).toBe(expected);
    } finally {
      await web.app.close();
    }
  });

  it('reads the cycles as the rows are taken: a cycle added after the first rows were written is in the file', async () => {
    const principal = api.app.get(TokenService).verify(c.councilUser.as.token!);
    const table = await api.app.get(OpenDataService).learningTable(principal, c.partnershipId);
    const rows = (table.rows as AsyncIterable<CsvCell[]>)[Symbol.asyncIterator]();
    const first = await rows.next();
    expect(first.value[0]).toBe(cycles[0]);
    // Made once the first page was read: built in memory first, the file would not have it.
    const later = await cycleWithLearning('Winter four');
    const rest: CsvCell[][] = [first.value];
    for (let next = await rows.next(); !next.done; next = await rows.next()) rest.push(next.value);
    expect(rest.map((r) => r[0])).toEqual([...cycles, later].flatMap((id) => [id, id]));
  });
});
