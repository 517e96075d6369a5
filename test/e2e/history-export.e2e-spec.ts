import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HistoryAuditService } from '@app/cycles';
import { chainedEntry } from '@app/history';
import { Agent, Collaboration, TEST_PASSWORD, TestApi, asOwner, startCollaboration, testClock } from '@test/support';
import { TestWeb, createWebApp, signInOverHttp } from '@test/support/test-web';

const ROOT = join(__dirname, '../..');

/** `npm run verify-history -- <file>` as an auditor runs it: its exit code and what it printed. */
function verifier(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'verify-history', '--', file], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** The body of an NDJSON answer, as text. */
const text = (res: request.Response, done: (error: Error | null, body: string) => void) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
};

async function exportOf(as: Agent, url: string) {
  const res = await as.get(url).buffer(true).parse(text).expect(200);
  return { res, body: res.body as string, lines: (res.body as string).trimEnd().split('\n') };
}

/** The offline audit: a history exported as NDJSON with its head last, verified by the standalone verifier (a child process, no server). */
describe('the offline audit of a history', () => {
  let api: TestApi;
  let c: Collaboration;
  let steps: Awaited<ReturnType<typeof startCollaboration>>['steps'];
  let factory: Awaited<ReturnType<typeof startCollaboration>>['factory'];
  let dir: string;
  let cycleId: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    ({ api, c, steps, factory } = await startCollaboration());
    dir = mkdtempSync(join(tmpdir(), 'history-export-'));
    cycleId = await c.newCycle();
    await steps.toOptions(cycleId);
    await steps.ok(c.forumUser.as, cycleId, { type: 'SUBMIT_OPTION', title: 'Befriending at home', summary: 'Volunteers visit weekly', coAuthorOrganisationIds: [] });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
  });

  it("exports a cycle's history: one entry a line as stored, in seq order, the cycle's head last; an attachment", async () => {
    const { res, body, lines } = await exportOf(c.charityUser.as, `/v1/cycles/${cycleId}/history/export`);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="cycle-history-${cycleId}-\\d{4}-\\d{2}-\\d{2}\\.ndjson"$`));
    expect(body.endsWith('\n')).toBe(true);
    // Streamed: not tagged, and not kept by a cache (it holds what the caller may see).
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
    const history = (await c.charityUser.as.get(`/v1/cycles/${cycleId}/history`).expect(200)).body;
    const cycle = (await c.charityUser.as.get(`/v1/cycles/${cycleId}`).expect(200)).body;
    expect(lines).toHaveLength(history.length + 1);
    const entries = lines.slice(0, -1).map((l) => JSON.parse(l));
    // The entry as the API shows it, with its subject and scheme.
    // Hash scheme 4: each entry's seals too (what a person wrote, as salted digests), null where it wrote none.
    expect(entries.map(({ seals: _, ...e }) => e)).toEqual(history.map((h: object) => ({ subjectId: cycleId, ...h, hashScheme: 4 })));
    const revision = entries.find((e) => e.type === 'REVISE_PROBLEM');
    expect(revision.seals).toEqual({ '/statement': { digest: expect.stringMatching(/^[0-9a-f]{64}$/), salt: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(entries.find((e) => e.type === 'LAUNCH').seals).toBeNull();
    expect(entries.map((e) => e.seq)).toEqual(history.map((_: unknown, i: number) => i + 1));
    const head = JSON.parse(lines.at(-1)!);
    expect(head).toEqual({ kind: 'head', history: 'cycle', subjectId: cycleId, version: cycle.version, historyHash: history.at(-1).hash, exportedAt: expect.any(String) });
    // The export moment is the service's clock's (moved by `npm run test:calendar`), and names the file.
    expect(Math.abs(Date.parse(head.exportedAt) - testClock().now().getTime())).toBeLessThan(10 * 60_000);
    expect(res.headers['content-disposition']).toContain(`-${head.exportedAt.slice(0, 10)}.ndjson`);
  });

  it('the verifier passes the file, then names the entry one byte was changed in, the entry a deleted line held, and refuses a file without its head', async () => {
    const { body, lines } = await exportOf(c.councilUser.as, `/v1/cycles/${cycleId}/history/export`);
    const head = JSON.parse(lines.at(-1)!);
    const intact = await verifier(file('intact.ndjson', body));
    expect(intact).toMatchObject({ code: 0, stdout: `intact (${head.version} entries, head ${head.historyHash})\n` });

    // One byte inside a payload's text (the problem statement): still JSON, no longer the entry hashed.
    const index = lines.findIndex((l) => JSON.parse(l).type === 'REVISE_PROBLEM');
    const seq = JSON.parse(lines[index]).seq;
    const changed = [...lines];
    changed[index] = changed[index].replace('admitted to hospital', 'admitted to hospitaL');
    expect(changed[index]).not.toBe(lines[index]);
    const broken = await verifier(file('changed.ndjson', changed.join('\n') + '\n'));
    expect(broken.code).toBe(1);
    // The statement is sealed (hash scheme 4): its salted digest no longer matches it.
    expect(broken.stdout).toBe(`broken at entry ${seq} (line ${index + 1}): Entry ${seq} was changed after it was written: its field /statement is not the text it sealed.\n`);

    // A middle line deleted: the entry it held is named.
    const middle = Math.floor((lines.length - 1) / 2);
    const gone = await verifier(file('deleted.ndjson', [...lines.slice(0, middle), ...lines.slice(middle + 1)].join('\n') + '\n'));
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(new RegExp(`^broken at entry ${middle + 1} \\(line ${middle + 1}\\): Entry ${middle + 1} is missing`));

    // Without its head the file is incomplete (cut short): not a history file.
    const headless = await verifier(file('headless.ndjson', lines.slice(0, -1).join('\n') + '\n'));
    expect(headless).toMatchObject({ code: 2, stdout: '' });
    expect(headless.stderr).toMatch(/no head line/);
    const empty = await verifier(file('empty.ndjson', ''));
    expect(empty).toMatchObject({ code: 2, stderr: 'not a history file: The file is empty: it holds no entries and no head.\n' });
    const missing = await verifier(join(dir, 'no-such-file.ndjson'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cannot read /);
  });

  it("exports the partnership agreement's history and the partnership's own likewise, and the verifier passes both", async () => {
    await c.charityUser.as.post(`/v1/partnerships/${c.partnershipId}/agreement/events`, { type: 'STATE_POSITION', whatsInItForUs: 'Fewer crises', readiness: 'ready' }).expect(200);
    await c.forumUser.as
      .post(`/v1/partnerships/${c.partnershipId}/agreement/events`, { type: 'STATE_POSITION', whatsInItForUs: 'A say', readiness: 'concerns', concerns: 'Residents must be asked' })
      .expect(200);
    const agreement = await exportOf(c.forumUser.as, `/v1/partnerships/${c.partnershipId}/agreement/history/export`);
    expect(agreement.res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="agreement-history-${c.partnershipId}-`));
    const history = (await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement/history`).expect(200)).body;
    const version = (await c.forumUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement`).expect(200)).body.version;
    expect(agreement.lines).toHaveLength(history.length + 1);
    expect(JSON.parse(agreement.lines.at(-1)!)).toMatchObject({ kind: 'head', history: 'agreement', subjectId: c.partnershipId, version, historyHash: history.at(-1).hash });
    expect(await verifier(file('agreement.ndjson', agreement.body))).toMatchObject({ code: 0, stdout: `intact (${version} entries, head ${history.at(-1).hash})\n` });
    const changed = agreement.lines.map((l) => l.replace('Residents must be asked', 'Residents must be askeD'));
    const seq = history.find((h: { type: string; payload: { concerns?: string } }) => h.payload.concerns === 'Residents must be asked').seq;
    const broken = await verifier(file('agreement-changed.ndjson', changed.join('\n')));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(new RegExp(`^broken at entry ${seq} `));

    const own = await exportOf(c.councilUser.as, `/v1/partnerships/${c.partnershipId}/history/export`);
    const ownHistory = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history`).expect(200)).body;
    expect(ownHistory.length).toBeGreaterThan(0);
    expect(JSON.parse(own.lines.at(-1)!)).toMatchObject({ kind: 'head', history: 'partnership', subjectId: c.partnershipId, version: ownHistory.length });
    expect(await verifier(file('partnership.ndjson', own.body))).toMatchObject({ code: 0, stdout: `intact (${ownHistory.length} entries, head ${ownHistory.at(-1).hash})\n` });
  });

  it('answers 404 to a caller who may not see the cycle or the partnership, as its history does, and to an id that is not one', async () => {
    const outsider = await factory.user(await factory.organisation('provider'));
    for (const url of [`/v1/cycles/${cycleId}`, `/v1/partnerships/${c.partnershipId}/agreement`, `/v1/partnerships/${c.partnershipId}`]) {
      await outsider.as.get(`${url}/history`).expect(404);
      const res = await outsider.as.get(`${url}/history/export`).expect(404);
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    await request(api.http).get(`/v1/cycles/${cycleId}/history/export`).expect(401);
    // An id that is not one is no cycle, as for the history itself.
    const history = await c.councilUser.as.get('/v1/cycles/not-an-id/history');
    await c.councilUser.as.get('/v1/cycles/not-an-id/history/export').expect(history.status);
    expect(history.status).toBe(404);
  });

  it('reads the entries a page at a time up to the head read when the export began, whatever is appended meanwhile', async () => {
    const audit = api.app.get(HistoryAuditService);
    const found = await audit.exportOf(cycleId, 2);
    expect(found).not.toBeNull();
    const { head, pages } = found!;
    await steps.ok(c.charityUser.as, cycleId, { type: 'SUBMIT_OPTION', title: 'Warm homes checks', summary: 'Home visits before winter', coAuthorOrganisationIds: [] });
    const sizes: number[] = [];
    const seqs: number[] = [];
    for await (const page of pages) {
      sizes.push(page.length);
      seqs.push(...page.map((e) => e.seq));
    }
    expect(seqs).toEqual(Array.from({ length: head.version }, (_, i) => i + 1));
    expect(sizes.every((n) => n <= 2)).toBe(true);
    const now = await exportOf(c.councilUser.as, `/v1/cycles/${cycleId}/history/export`);
    expect(JSON.parse(now.lines.at(-1)!).version).toBe(head.version + 1);
    expect(await verifier(file('after.ndjson', now.body))).toMatchObject({ code: 0 });
  });

  it('the web app offers the same files to signed-in people, linked from the cycle, agreement and partnership history pages', async () => {
    const web = await createWebApp();
    try {
      const http = web.app.getHttpServer();
      const { cookie } = await signInOverHttp({ app: web.app } as TestWeb, c.forumUser.email, TEST_PASSWORD);
      const pages = [
        { page: `/cycles/${cycleId}`, file: `/cycles/${cycleId}/history.ndjson`, history: 'cycle' },
        { page: `/partnerships/${c.partnershipId}/agreement`, file: `/partnerships/${c.partnershipId}/agreement/history.ndjson`, history: 'agreement' },
        { page: `/partnerships/${c.partnershipId}/history`, file: `/partnerships/${c.partnershipId}/history.ndjson`, history: 'partnership' },
      ];
      for (const { page, file: url, history } of pages) {
        expect((await request(http).get(page).set('Cookie', cookie).expect(200)).text).toContain(`href="${url}" download`);
        const res = await request(http).get(url).set('Cookie', cookie).buffer(true).parse(text).expect(200);
        expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
        expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${history}-history-`));
        const api = await exportOf(c.forumUser.as, url.replace(/^\/(cycles|partnerships)\//, '/v1/$1/').replace(/\.ndjson$/, '/export'));
        // The same file as the API's but for the moment of export.
        const withoutMoment = (body: string) => body.replace(/"exportedAt":"[^"]+"/, '');
        expect(withoutMoment(res.body)).toBe(withoutMoment(api.body));
        expect(await verifier(file(`web-${history}.ndjson`, res.body))).toMatchObject({ code: 0 });
      }
      const outsider = await factory.user(await factory.organisation('provider'));
      const other = await signInOverHttp({ app: web.app } as TestWeb, outsider.email, TEST_PASSWORD);
      for (const { file: url } of pages) await request(http).get(url).set('Cookie', other.cookie).expect(404);
    } finally {
      await web.app.close();
    }
  });

  it('streams a long history over several pages (1,200 entries more), and the verifier passes it', async () => {
    const before = JSON.parse((await exportOf(c.councilUser.as, `/v1/partnerships/${c.partnershipId}/history/export`)).lines.at(-1)!);
    // Chained as the service chains them, written behind it (as a long-lived partnership's would be, over years).
    let prev = before.historyHash as string;
    const rows = Array.from({ length: 1200 }, (_, i) => {
      const seq = before.version + i + 1;
      const entry = chainedEntry(c.partnershipId, seq, prev, {
        type: 'MEMBER_INVITED',
        actorUserId: c.councilUser.id,
        organisationId: c.orgs.council.id,
        representative: false,
        fromState: 'open',
        toState: 'open',
        payload: { organisationId: c.orgs.charity.id, note: `Invitation ${seq}: “quoted”, \\ and \u00e9` },
        at: new Date(testClock().now().getTime() - (1200 - i) * 60_000),
      });
      prev = entry.hash;
      return { ...entry, at: entry.at.toISOString() };
    });
    await asOwner(async (m) => {
      await m.query(
        `INSERT INTO partnership_history (partnership_id, seq, type, actor_user_id, organisation_id, representative, from_state, to_state, payload, at, prev_hash, hash)
         SELECT $1, x.seq, x.type, x."actorUserId", x."organisationId", x.representative, x."fromState", x."toState", x.payload, x.at, x."prevHash", x.hash
         FROM jsonb_to_recordset($2::jsonb) AS x(seq int, type text, "actorUserId" uuid, "organisationId" uuid, representative boolean, "fromState" text, "toState" text, payload jsonb, at timestamptz, "prevHash" text, hash text)`,
        [c.partnershipId, JSON.stringify(rows)],
      );
      await m.query(`UPDATE partnerships SET history_version = $2, history_hash = $3 WHERE id = $1`, [c.partnershipId, before.version + 1200, prev]);
    });
    await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/history/verify`).expect(200, { intact: true, length: before.version + 1200 });
    const long = await exportOf(c.councilUser.as, `/v1/partnerships/${c.partnershipId}/history/export`);
    expect(long.lines).toHaveLength(before.version + 1201);
    expect(long.lines.slice(0, -1).map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: before.version + 1200 }, (_, i) => i + 1));
    expect(await verifier(file('long.ndjson', long.body))).toMatchObject({ code: 0, stdout: `intact (${before.version + 1200} entries, head ${prev})\n` });
  });

  it('the verifier loads only pure code: no Nest, TypeORM or pg', async () => {
    const script = [
      "require('ts-node').register({ transpileOnly: true });",
      "require('./scripts/verify-history.ts');",
      'const heavy = Object.keys(require.cache).filter((p) => /node_modules\\/(@nestjs|typeorm|pg|bullmq|ioredis)\\//.test(p));',
      'console.log(JSON.stringify(heavy));',
    ].join('\n');
    const loaded = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], { cwd: ROOT, timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(loaded)).toEqual([]);
  });
});
