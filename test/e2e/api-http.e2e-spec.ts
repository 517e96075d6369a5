import request from 'supertest';
import { Collaboration, TestApi, cycleSteps, startCollaboration } from '@test/support';

/** What the API's HTTP layer does around the routes: conditional GETs, streamed answers, downloads. */
describe('the API over HTTP', () => {
  let api: TestApi;
  let c: Collaboration;
  let cycleId: string;

  beforeAll(async () => {
    ({ api, c } = await startCollaboration());
    cycleId = await c.newCycle();
    await cycleSteps(c).toFraming(cycleId);
  });
  afterAll(() => api.close());

  const get = (path: string, headers: Record<string, string> = {}) => request(api.http).get(path).set('Authorization', `Bearer ${c.councilUser.as.token}`).set(headers);

  it('tags a cycle with its version for If-Match, and never answers 304 on it: the same version is another view for another caller or hour', async () => {
    const first = await get(`/v1/cycles/${cycleId}`).expect(200);
    const tag = first.headers.etag;
    expect(tag).toBe(`"${first.body.version}"`);
    expect(first.headers['cache-control']).toBe('no-store');
    // Another member sees the same version with the events open to them.
    const other = await request(api.http).get(`/v1/cycles/${cycleId}`).set('Authorization', `Bearer ${c.charityUser.as.token}`).set('If-None-Match', tag).expect(200);
    expect(other.headers.etag).toBe(tag);
    expect(other.body.nextEvents).not.toEqual(first.body.nextEvents);
    // The same caller and version: still the whole view (overdue actions move with the clock).
    const again = await get(`/v1/cycles/${cycleId}`, { 'If-None-Match': tag }).expect(200);
    expect(again.body).toEqual(first.body);
    expect((await request(api.http).head(`/v1/cycles/${cycleId}`).set('Authorization', `Bearer ${c.councilUser.as.token}`).set('If-None-Match', tag)).status).toBe(200);
    // The agreement's version tag likewise.
    const agreement = await get(`/v1/partnerships/${c.partnershipId}/agreement`).expect(200);
    expect(agreement.headers.etag).toBe(`"${agreement.body.version}"`);
    await get(`/v1/partnerships/${c.partnershipId}/agreement`, { 'If-None-Match': agreement.headers.etag }).expect(200);
    // The tag is what If-Match takes: once the cycle moves on, it is stale.
    await cycleSteps(c).ok(c.charityUser.as, cycleId, { type: 'REVISE_PROBLEM', statement: 'Older people wait too long for care at home.' });
    const stale = await request(api.http)
      .post(`/v1/cycles/${cycleId}/events`)
      .set('Authorization', `Bearer ${c.charityUser.as.token}`)
      .set('If-Match', tag)
      .send({ type: 'REVISE_PROBLEM', statement: 'Older people wait too long at home.' });
    expect(stale.status).toBe(409);
    const moved = await get(`/v1/cycles/${cycleId}`).expect(200);
    expect(moved.headers.etag).toBe(`"${first.body.version + 1}"`);
  });

  it('tags other answers to a GET by their body, and answers 304 while it is unchanged', async () => {
    const first = await get(`/v1/partnerships/${c.partnershipId}`).expect(200);
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]+"$/);
    expect(first.headers['cache-control']).toBe('no-store');
    const again = await get(`/v1/partnerships/${c.partnershipId}`, { 'If-None-Match': first.headers.etag }).expect(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    // A 304 says nothing of a body it does not send.
    expect(again.headers['content-type']).toBeUndefined();
    expect(again.headers['content-length']).toBeUndefined();
    const head = request(api.http).head(`/v1/partnerships/${c.partnershipId}`).set('Authorization', `Bearer ${c.councilUser.as.token}`);
    expect((await head.set('If-None-Match', first.headers.etag)).status).toBe(304);
    // A list of tags, one of them current, is still a match; another tag is not.
    await get(`/v1/partnerships/${c.partnershipId}`, { 'If-None-Match': `W/"0-x", ${first.headers.etag}` }).expect(304);
    await get(`/v1/partnerships/${c.partnershipId}`, { 'If-None-Match': 'W/"0-x"' }).expect(200);
    // Another caller's view may differ: the tag is of the answer given, never shared blindly.
    const other = await request(api.http).get(`/v1/partnerships/${c.partnershipId}`).set('Authorization', `Bearer ${c.charityUser.as.token}`).expect(200);
    expect(typeof other.headers.etag).toBe('string');
  });

  it('never answers 304 to anything but a GET, nor to an error', async () => {
    const view = await get(`/v1/cycles/${cycleId}`).expect(200);
    const res = await request(api.http)
      .post(`/v1/cycles/${cycleId}/events`)
      .set('Authorization', `Bearer ${c.charityUser.as.token}`)
      .set('If-None-Match', view.headers.etag)
      .send({ type: 'REVISE_PROBLEM', statement: 'Older people wait for care at home and go to hospital.' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(`"${view.body.version + 1}"`);
    const missing = await get('/v1/cycles/00000000-0000-4000-8000-000000000000', { 'If-None-Match': '*' });
    expect(missing.status).toBe(404);
  });

  it('streams the whole history as one JSON array, untagged, with the security headers', async () => {
    const res = await get(`/v1/cycles/${cycleId}/history`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((e: { seq: number }) => e.seq)).toEqual(res.body.map((_: unknown, i: number) => i + 1));
    const page = await get(`/v1/cycles/${cycleId}/history?limit=2`).expect(200);
    expect(page.body.items).toEqual(res.body.slice(0, 2));
  });

  it('sends a CSV download as an attachment, and a refusal as a problem without it', async () => {
    const csv = await get(`/v1/cycles/${cycleId}/history.csv`).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/);
    expect(csv.text.split('\r\n')[0]).toMatch(/^\uFEFF?seq,at,type,/);
    const refused = await get('/v1/cycles/00000000-0000-4000-8000-000000000000/history.csv');
    expect(refused.status).toBe(404);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['content-disposition']).toBeUndefined();
  });
});
