import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Factory, TestApi, TestUser, asOwner, startTestApi } from '@test/support';

const ROOT = join(__dirname, '..', '..');
const verifier = (file: string): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'verify-history', '--', file], { cwd: ROOT, timeout: 60_000 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout }),
    );
  });
const ndjson = (agent: TestUser['as'], url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      let text = '';
      r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      r.on('end', () => cb(null, text));
    })
    .then((res) => {
      expect(res.status).toBe(200);
      return res.body as string;
    });

/**
 * The agreements' and partnerships' histories sealed with hash scheme 4 (issue 34): what a person
 * said for their organisation in the agreement (a position, an objection) is sealed, and erased
 * with them; the agreement's history records the erasure and still verifies, online and offline.
 */
describe('erasure in the agreement’s and the partnership’s histories', () => {
  let api: TestApi;
  let factory: Factory;
  let partnershipId: string;
  let members: TestUser[];
  const concerns = 'Mrs Patel at Elm Court was never asked about the day centre.';
  const objection = 'Mr Okafor told our forum the transport plan leaves him stranded.';
  const url = () => `/v1/partnerships/${partnershipId}/agreement`;

  beforeAll(async () => {
    ({ api, factory } = await startTestApi());
    const orgs = await Promise.all([factory.organisation('commissioner', 'Eastvale Council'), factory.organisation('community', 'Eastvale Residents Forum')]);
    members = await Promise.all(orgs.map((o) => factory.user(o)));
    partnershipId = (
      await members[0].as
        .post('/v1/partnerships', { name: 'Eastvale Ageing Well', memberOrganisationIds: [orgs[1].id], destination: 'Older people live well at home', principles: ['Decide together'] })
        .expect(201)
    ).body.id;
    await factory.acceptInvitations(partnershipId, [orgs[1].id]);
    await members[1].as.post(`${url()}/events`, { type: 'STATE_POSITION', whatsInItForUs: 'Residents heard early', readiness: 'concerns', concerns }).expect(200);
    await members[0].as.post(`${url()}/events`, { type: 'PROPOSE_AGREEMENT', destination: 'Older people live well at home', horizonYear: 2032, principles: ['Decide together'] }).expect(200);
    await members[1].as.post(`${url()}/events`, { type: 'OBJECT_AGREEMENT', number: 2, reason: objection }).expect(200);
  });
  afterAll(() => api?.close());

  it('seals new entries with hash scheme 4: the prose a person wrote has a salted digest beside it; the partnership’s own entries are scheme 4 with nothing to seal', async () => {
    const db = api.app.get(DataSource);
    const rows: { type: string; hash_scheme: number; seals: Record<string, { digest: string; salt?: string }> | null }[] = await db.query(
      `SELECT type, hash_scheme, seals FROM agreement_history WHERE partnership_id = $1 ORDER BY seq`,
      [partnershipId],
    );
    expect(rows.every((r) => r.hash_scheme === 4)).toBe(true);
    const byType = Object.fromEntries(rows.map((r) => [r.type, r.seals]));
    expect(Object.keys(byType.STATE_POSITION!).sort()).toEqual(['/concerns', '/whatsInItForUs']);
    expect(Object.keys(byType.OBJECT_AGREEMENT!)).toEqual(['/reason']);
    expect(Object.keys(byType.PROPOSE_AGREEMENT!)).toEqual(['/destination', '/principles/0']);
    expect(byType.CREATED).toBeNull();
    const own: { hash_scheme: number; seals: unknown }[] = await db.query(`SELECT hash_scheme, seals FROM partnership_history WHERE partnership_id = $1`, [partnershipId]);
    expect(own.every((r) => r.hash_scheme === 4 && r.seals === null)).toBe(true);
    expect((await members[0].as.get(`${url()}/history/verify`).expect(200)).body).toMatchObject({ intact: true });
    // The database lets a sealed text be released and nothing else: its owner cannot rewrite it.
    await expect(
      asOwner((m) => m.query(`UPDATE agreement_history SET payload = jsonb_set(payload, '{reason}', '"Rewritten"') WHERE partnership_id = $1 AND type = 'OBJECT_AGREEMENT'`, [partnershipId])),
    ).rejects.toThrow(/append-only/);
  });

  it('erases what the person said: history entries and the agreement’s view show "[erased]", a PERSONAL_DATA_ERASED entry names the fields, both chains verify, the offline verifier passes', async () => {
    const erased = await factory.admin.post(`/v1/users/${members[1].id}/erase`, { reason: 'Erasure request DP-7' }).expect(200);
    expect(erased.body).toMatchObject({ id: members[1].id, agreementPartnershipIds: [partnershipId], released: 3, retained: 0 });

    const view = (await members[0].as.get(url()).expect(200)).body;
    expect(JSON.stringify(view)).not.toContain('Mrs Patel');
    expect(JSON.stringify(view)).not.toContain('Mr Okafor');
    expect(view.objections).toEqual([{ organisationId: members[1].organisationId, reason: '[erased]' }]);
    // The agreement's own text, which the partnership keeps, stays.
    expect(view.current).toMatchObject({ destination: 'Older people live well at home' });

    const history = (await members[0].as.get(`${url()}/history`).expect(200)).body as { seq: number; type: string; payload: Record<string, unknown> }[];
    const position = history.find((e) => e.type === 'STATE_POSITION')!;
    const objected = history.find((e) => e.type === 'OBJECT_AGREEMENT')!;
    expect(position.payload).toMatchObject({ whatsInItForUs: '[erased]', concerns: '[erased]', readiness: 'concerns' });
    expect(objected.payload).toMatchObject({ reason: '[erased]', number: 2 });
    expect(history.at(-1)).toMatchObject({
      type: 'PERSONAL_DATA_ERASED',
      payload: {
        userId: members[1].id,
        reason: 'Erasure request DP-7',
        fields: [
          { seq: position.seq, path: '/concerns' },
          { seq: position.seq, path: '/whatsInItForUs' },
          { seq: objected.seq, path: '/reason' },
        ].sort((a, b) => a.seq - b.seq || 0),
      },
    });
    expect((await members[0].as.get(`${url()}/history/verify`).expect(200)).body).toEqual({ intact: true, length: history.length });
    expect((await members[0].as.get(`/v1/partnerships/${partnershipId}/history/verify`).expect(200)).body).toMatchObject({ intact: true });

    const dir = mkdtempSync(join(tmpdir(), 'agreement-erasure-'));
    for (const [name, path] of [
      ['agreement', `${url()}/history/export`],
      ['partnership', `/v1/partnerships/${partnershipId}/history/export`],
    ]) {
      const body = await ndjson(members[0].as, path);
      expect(body).not.toContain('Mrs Patel');
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, body);
      expect(await verifier(file)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^intact \(/) });
    }
    // A released field given its text back in the file: the verifier names the entry.
    const lines = (await ndjson(members[0].as, `${url()}/history/export`)).trimEnd().split('\n');
    const at = lines.findIndex((l) => JSON.parse(l).seq === objected.seq);
    lines[at] = lines[at].replace('"[erased]"', '"Rewritten"');
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, lines.join('\n') + '\n');
    expect(await verifier(broken)).toMatchObject({ code: 1, stdout: expect.stringContaining(`broken at entry ${objected.seq} `) });

    // Nothing of theirs is left in the database, nor a salt that would prove a guess; a second erasure finds nothing.
    const rows = await api.app.get(DataSource).query(`SELECT payload, seals FROM agreement_history WHERE actor_user_id = $1`, [members[1].id]);
    expect(JSON.stringify(rows)).not.toMatch(/Mrs Patel|Mr Okafor/);
    const [{ snapshot }] = await api.app.get(DataSource).query(`SELECT snapshot FROM agreements WHERE partnership_id = $1`, [partnershipId]);
    expect(JSON.stringify(snapshot)).not.toMatch(/Mrs Patel|Mr Okafor/);
    const again = await factory.admin.post(`/v1/users/${members[1].id}/erase`, { reason: 'Erasure request DP-7' }).expect(200);
    expect(again.body).toMatchObject({ agreementPartnershipIds: [], released: 0 });
  });

  it('an admin redacts one field of an agreement entry: "[redacted]" in the history and the view, a REDACTED entry, verify intact; bad input changes nothing', async () => {
    const named = 'Our carer Ms Lee at 3 Mill Street says the transport works.';
    await members[0].as.post(`${url()}/events`, { type: 'STATE_POSITION', whatsInItForUs: named, readiness: 'ready' }).expect(200);
    const history = (await members[0].as.get(`${url()}/history`).expect(200)).body as { seq: number; type: string; payload: Record<string, unknown> }[];
    const position = history.at(-1)!;
    const redact = (who: TestUser['as'], seq: number, body: object) => who.post(`${url()}/history/${seq}/redact`, body);
    const unknown = await redact(factory.admin, position.seq, { field: 'readiness', reason: 'Names a carer' }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'field', message: `entry ${position.seq} has no personal field readiness to redact: its personal fields are whatsInItForUs` }]);
    const noReason = await redact(factory.admin, position.seq, { field: 'whatsInItForUs' }).expect(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toContain('reason');
    await redact(members[0].as, position.seq, { field: 'whatsInItForUs', reason: 'Names a carer' }).expect(403);
    await redact(factory.admin, 99999, { field: 'whatsInItForUs', reason: 'Names a carer' }).expect(404);
    await redact(factory.admin, 0, { field: 'whatsInItForUs', reason: 'Names a carer' }).expect(404);
    expect((await members[0].as.get(`${url()}/history`).expect(200)).body).toHaveLength(history.length);

    const done = await redact(factory.admin, position.seq, { field: 'whatsInItForUs', reason: 'Names a carer' }).expect(200);
    expect(done.body).toEqual({ seq: position.seq, field: 'whatsInItForUs', redactedBySeq: position.seq + 1 });
    const after = (await members[0].as.get(`${url()}/history`).expect(200)).body as { seq: number; type: string; payload: Record<string, unknown> }[];
    expect(after.find((e) => e.seq === position.seq)!.payload).toMatchObject({ whatsInItForUs: '[redacted]', readiness: 'ready' });
    expect(after.at(-1)).toMatchObject({ type: 'REDACTED', payload: { fields: [{ seq: position.seq, path: '/whatsInItForUs' }], reason: 'Names a carer' } });
    const view = (await members[0].as.get(url()).expect(200)).body;
    expect(JSON.stringify(view)).not.toContain('Ms Lee');
    expect((await members[0].as.get(`${url()}/history/verify`).expect(200)).body).toEqual({ intact: true, length: after.length });
    const file = join(mkdtempSync(join(tmpdir(), 'agreement-redaction-')), 'agreement.ndjson');
    writeFileSync(file, await ndjson(members[0].as, `${url()}/history/export`));
    expect(await verifier(file)).toMatchObject({ code: 0 });
    // Twice: already redacted.
    await redact(factory.admin, position.seq, { field: 'whatsInItForUs', reason: 'Names a carer' }).expect(400);
  });
});
