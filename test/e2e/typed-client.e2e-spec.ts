import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { Collaboration, Factory, TestApi, TestUser, startCollaboration } from '@test/support';
import { CocommissionClient, createClient, operations } from '../../clients/typescript';

/** Any event's body, as the schema types it: `type` selects the fields. */
type EventBody = operations['CyclesController_send']['requestBody']['content']['application/json'];

const ROOT = join(__dirname, '../..');
const CLIENT_DIR = join(ROOT, 'clients/typescript');

/** `npm run client` into a directory of its own (in a process of its own: openapi-typescript loads ES modules, which Jest cannot). */
async function freshClientFiles(): Promise<{ openapi: string; schema: string }> {
  const out = mkdtempSync(join(tmpdir(), 'cocommission-client-'));
  try {
    await promisify(execFile)(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'scripts/client.ts', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_SWC: 'true' },
    });
    return { openapi: readFileSync(join(out, 'openapi.json'), 'utf8'), schema: readFileSync(join(out, 'schema.d.ts'), 'utf8') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The generated TypeScript client (clients/typescript) against a running API, and whether it is current. */
describe('the typed client', () => {
  let api: TestApi;
  let c: Collaboration;
  let factory: Factory;
  let baseUrl: string;

  beforeAll(async () => {
    ({ api, c, factory } = await startCollaboration());
    await api.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60000);
  afterAll(() => api?.close());

  const clientOf = (user: TestUser): CocommissionClient => createClient({ baseUrl, headers: { Authorization: `Bearer ${user.as.token}` } });

  it('drives a cycle from draft to delivery, with typed bodies and answers', async () => {
    const [council, icb, charity, forum] = [c.councilUser, c.icbUser, c.charityUser, c.forumUser].map(clientOf);
    const created = await council.POST('/v1/cycles', { body: c.cycleBody });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    expect(created.data!.state).toBe('draft');

    const send = async (client: CocommissionClient, body: EventBody) => {
      const { data, error, response } = await client.POST('/v1/cycles/{id}/events', { params: { path: { id } }, body });
      if (!data) throw new Error(`${JSON.stringify(body)} → ${response.status} ${JSON.stringify(error)}`);
      return data;
    };

    expect((await send(council, { type: 'LAUNCH' })).state).toBe('framing');
    await send(charity, { type: 'REVISE_PROBLEM', statement: 'Too many older people are admitted to hospital in winter.' });
    let view = await send(council, { type: 'ENDORSE_PROBLEM', revision: 1 });
    for (const client of [icb, charity, forum]) view = await send(client, { type: 'ENDORSE_PROBLEM', revision: 1 });
    expect(view.state).toBe('options');
    view = await send(charity, { type: 'SUBMIT_OPTION', title: 'Winter calls', summary: 'Weekly calls to people living alone', coAuthorOrganisationIds: [c.orgs.forum.id] });
    const optionId = (view.options[0] as { id: string }).id;
    expect((await send(council, { type: 'CLOSE_OPTIONS' })).state).toBe('deciding');
    view = await send(icb, { type: 'PROPOSE_DECISION', optionIds: [optionId], rationale: 'Quickest to start' });
    const proposalId = (view.decision.proposals as { id: string }[])[0].id;
    for (const client of [council, icb, charity, forum]) view = await send(client, { type: 'CONSENT', proposalId });
    expect(view.state).toBe('delivering');

    // A stale If-Match: the error comes back typed as problem+json, not thrown.
    const stale = await council.POST('/v1/cycles/{id}/events', { params: { path: { id }, header: { 'If-Match': '1' } }, body: { type: 'START_REVIEW' } });
    expect(stale.response.status).toBe(409);
    expect(stale.data).toBeUndefined();

    // Without limit or cursor, the whole history as an array; with them, a page.
    const history = await forum.GET('/v1/cycles/{id}/history', { params: { path: { id } } });
    const entries = Array.isArray(history.data) ? history.data : [];
    const page = await forum.GET('/v1/cycles/{id}/history', { params: { path: { id }, query: { limit: 5 } } });
    expect(page.data && !Array.isArray(page.data) && page.data.items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries.map((e) => e.type)).toEqual([
      'CREATED',
      'LAUNCH',
      'REVISE_PROBLEM',
      'ENDORSE_PROBLEM',
      'ENDORSE_PROBLEM',
      'ENDORSE_PROBLEM',
      'ENDORSE_PROBLEM',
      'SUBMIT_OPTION',
      'CLOSE_OPTIONS',
      'PROPOSE_DECISION',
      'CONSENT',
      'CONSENT',
      'CONSENT',
      'CONSENT',
    ]);
    const verdict = await forum.GET('/v1/cycles/{id}/history/verify', { params: { path: { id } } });
    expect(verdict.data).toMatchObject({ intact: true, length: 14 });
    // A comment and a reply, typed both ways; the cycle's version does not move.
    const comment = await forum.POST('/v1/cycles/{id}/comments', { params: { path: { id } }, body: { subject: 'option', subjectId: optionId, body: 'Could the calls be in Urdu too?' } });
    expect(comment.response.status).toBe(201);
    const reply = await charity.POST('/v1/cycles/{id}/comments', { params: { path: { id } }, body: { subject: 'option', subjectId: optionId, body: 'Yes.', replyTo: comment.data!.id } });
    expect(reply.data!.replyTo).toBe(comment.data!.id);
    const thread = await council.GET('/v1/cycles/{id}/comments', { params: { path: { id }, query: { subject: 'option', subjectId: optionId } } });
    expect(thread.data!.items.map((i) => i.body)).toEqual(['Could the calls be in Urdu too?', 'Yes.']);
    const hidden = await council.POST('/v1/cycles/{id}/comments/{commentId}/hide', { params: { path: { id, commentId: reply.data!.id } }, body: { reason: 'Too short to help' } });
    expect(hidden.data).toMatchObject({ hidden: true, body: null, hiddenReason: 'Too short to help' });
    const anonymous = await createClient({ baseUrl }).GET('/v1/cycles/{id}', { params: { path: { id } } });
    expect(anonymous.response.status).toBe(401);
  });

  it('hands a person’s work over, typed: the cycles moved and those skipped', async () => {
    const [leaver, colleague] = await Promise.all([factory.user(c.orgs.livedExperience), factory.user(c.orgs.livedExperience)]);
    const id = await c.newCycle({ panelUserIds: [leaver.id] });
    const admin = createClient({ baseUrl, headers: { Authorization: `Bearer ${factory.admin.token}` } });
    const answer = await admin.POST('/v1/users/{id}/handover', { params: { path: { id: leaver.id } }, body: { toUserId: colleague.id } });
    expect(answer.response.status).toBe(200);
    const moved: { cycles: string[]; skipped: { cycleId: string; reason: string }[] } = answer.data!;
    expect(moved).toEqual({ cycles: [id], skipped: [] });
  });

  it('is generated from the API as it is: the committed files equal a fresh generation, and every live route is in them', async () => {
    const fresh = await freshClientFiles();
    expect(fresh.openapi).toBe(readFileSync(join(CLIENT_DIR, 'openapi.json'), 'utf8'));
    expect(fresh.schema).toBe(readFileSync(join(CLIENT_DIR, 'schema.d.ts'), 'utf8'));
    const live = (await request(api.app.getHttpServer()).get('/docs-json').expect(200)).body;
    expect(JSON.parse(fresh.openapi)).toEqual(live);
    for (const path of Object.keys(live.paths)) expect(fresh.schema).toContain(`"${path}": {`);
  }, 120000);
});
