import { createHash, randomBytes } from 'node:crypto';
import { type Server, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import request from 'supertest';
import { DataSource } from 'typeorm';
import S3rver from 's3rver';
import { Agent, Collaboration, Factory, TestApi, collaboration, createTestApi, cycleSteps, eventually, freePort } from '@test/support';
import { Factory as FactoryClass } from '@test/support/factories';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A PDF as file-type sees one: its header, then any bytes. */
const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(bytes - 15), Buffer.from('\n%%EOF\n')]);
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (chunk: Buffer) => parts.push(chunk));
  res.on('end', () => done(null, Buffer.concat(parts)));
};

interface Bed {
  api: TestApi;
  factory: Factory;
  c: Collaboration;
  cycleId: string;
  optionId: string;
}

async function bed(api: TestApi): Promise<Bed> {
  const factory = await FactoryClass.create(api.http);
  const c = await collaboration(factory);
  const cycleId = await c.newCycle({ title: 'Evidence for winter' });
  const optionId = await cycleSteps(c).toDeciding(cycleId);
  return { api, factory, c, cycleId, optionId };
}

const upload = (b: Bed, as: Agent, fields: Record<string, string>, file: Buffer, name: string, cycleId = b.cycleId) => {
  let r = request(b.api.http).post(`/v1/cycles/${cycleId}/attachments`).set('Authorization', `Bearer ${as.token}`);
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
  return r.attach('file', file, { filename: name, contentType: 'application/octet-stream' });
};
const download = (b: Bed, as: Agent, id: string, cycleId = b.cycleId) =>
  request(b.api.http).get(`/v1/cycles/${cycleId}/attachments/${id}`).set('Authorization', `Bearer ${as.token}`).buffer(true).parse(binary);
const rowsOf = async (b: Bed) =>
  (
    await b.api.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n, (SELECT count(*)::int FROM attachment_chunks k JOIN attachments a ON a.id = k.attachment_id WHERE a.cycle_id = $1) AS chunks FROM attachments WHERE cycle_id = $1`,
        [b.cycleId],
      )
  )[0] as {
    n: number;
    chunks: number;
  };

/** Upload, download and the limits: run against each store. */
function storeSuite(name: string, make: () => Promise<{ api: TestApi; objects?: () => Promise<number> }>) {
  describe(name, () => {
    let b: Bed;
    let objects: (() => Promise<number>) | undefined;
    beforeAll(async () => {
      const made = await make();
      objects = made.objects;
      b = await bed(made.api);
    }, 120000);
    afterAll(() => b?.api.close());

    it('a 15 MB PDF goes up and comes back byte-identical, its sha256 in the history (which verifies)', async () => {
      const file = pdf(15 * MB);
      const res = await upload(b, b.c.charityUser.as, { subject: 'option', subjectId: b.optionId }, file, '../../Winter plan (draft)\u202e.pdf').expect(201);
      expect(res.body).toMatchObject({
        name: 'Winter plan (draft).pdf',
        mediaType: 'application/pdf',
        bytes: file.length,
        sha256: sha(file),
        subject: 'option',
        subjectId: b.optionId,
        uploadedBy: b.c.charityUser.id,
        withdrawn: false,
      });
      const got = await download(b, b.c.forumUser.as, res.body.id).expect(200);
      expect(got.headers['content-type']).toBe('application/pdf');
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.headers['content-disposition']).toBe(`attachment; filename="Winter plan (draft).pdf"; filename*=UTF-8''Winter%20plan%20%28draft%29.pdf`);
      expect(Buffer.compare(got.body as Buffer, file)).toBe(0);
      const history = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history?limit=100`).expect(200)).body.items;
      const entry = history.find((h: { type: string }) => h.type === 'ATTACHED');
      expect(entry).toMatchObject({ actorUserId: b.c.charityUser.id, payload: expect.objectContaining({ attachmentId: res.body.id, sha256: sha(file), bytes: file.length }) });
      expect((await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history/verify?full=true`).expect(200)).body.intact).toBe(true);
      const list = (await b.c.panel[0].as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(200)).body.items;
      expect(list.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
      if (objects) expect(await objects()).toBe(1);
    }, 60000);

    it('an .exe renamed .pdf is 415; a file over the limit is 413; nothing is stored either way', async () => {
      const before = await rowsOf(b);
      const objectsBefore = objects ? await objects() : 0;
      const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), randomBytes(4096)]);
      const refused = await upload(b, b.c.charityUser.as, { subject: 'revision', subjectId: '1' }, exe, 'minutes.pdf').expect(415);
      expect(refused.body.detail).toContain('PDF');
      const big = await upload(b, b.c.charityUser.as, { subject: 'revision', subjectId: '1' }, pdf(21 * MB), 'too-big.pdf');
      expect(big.status).toBe(413);
      expect(await rowsOf(b)).toEqual(before);
      if (objects) expect(await objects()).toBe(objectsBefore);
      const history = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history?limit=100`).expect(200)).body.items;
      expect(history.filter((h: { type: string }) => h.type === 'ATTACHED')).toHaveLength(1);
    }, 60000);

    it('several people upload at once: each file is kept and chained', async () => {
      const people = [b.c.councilUser, b.c.icbUser, b.c.charityUser, b.c.forumUser, b.c.panel[0]];
      const files = people.map(() => pdf(2 * MB));
      const answers = await Promise.all(people.map((p, i) => upload(b, p.as, { subject: 'review' }, files[i], `Evidence ${i}.pdf`)));
      expect(answers.map((a) => a.status)).toEqual(people.map(() => 201));
      expect(answers.map((a) => a.body.sha256).sort()).toEqual(files.map(sha).sort());
      expect((await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history/verify?full=true`).expect(200)).body.intact).toBe(true);
    }, 60000);

    it('a provider outside the cycle gets 404 on the list and the download', async () => {
      const [first] = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(200)).body.items;
      const stranger = await b.factory.user(await b.factory.organisation('provider'));
      await download(b, stranger.as, first.id).expect(404);
      await stranger.as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(404);
      await upload(b, stranger.as, { subject: 'revision', subjectId: '1' }, pdf(1000), 'x.pdf').expect(404);
    });
  });
}

describe('attachments', () => {
  storeSuite('in PostgreSQL', async () => ({ api: await createTestApi() }));

  describe('in an S3-compatible store (s3rver)', () => {
    let server: S3rver;
    let dir: string;
    const bucket = 'cocommission-attachments';
    let endpoint: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 's3rver-'));
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
      await server.run();
    });
    afterAll(async () => {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });
    storeSuite('uploads and downloads', async () => {
      const s3 = { endpoint, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
      const api = await createTestApi({ config: (config) => ({ ...config, attachments: { ...config.attachments, store: 's3', s3 } }) });
      const client = new S3Client({ endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
      return { api, objects: async () => (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0 };
    });
  });

  describe('rules', () => {
    let b: Bed;
    beforeAll(async () => {
      b = await bed(await createTestApi());
    }, 120000);
    afterAll(() => b?.api.close());

    it('CSV and plain text by their extension when UTF-8 without NULs; PNG by its bytes; other subjects; bad fields 400, unknown subjects 422', async () => {
      const csv = await upload(b, b.c.councilUser.as, { subject: 'revision', subjectId: '1' }, Buffer.from('ward,calls\nNorth,12\nSouth,9\n'), 'calls.csv').expect(201);
      expect(csv.body.mediaType).toBe('text/csv');
      const got = await download(b, b.c.charityUser.as, csv.body.id).expect(200);
      expect(got.headers['content-type']).toBe('text/csv; charset=utf-8');
      await upload(b, b.c.councilUser.as, { subject: 'revision', subjectId: '1' }, Buffer.from('a\u0000b'), 'nul.txt').expect(415);
      await upload(b, b.c.councilUser.as, { subject: 'revision', subjectId: '1' }, Buffer.from([0x61, 0xff, 0xfe, 0x62]), 'latin.txt').expect(415);
      await upload(b, b.c.councilUser.as, { subject: 'revision', subjectId: '1' }, Buffer.from('plain words'), 'words.html').expect(415);
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
      const image = await upload(b, b.c.panel[0].as, { subject: 'review' }, png, 'photo.pdf').expect(201);
      expect(image.body).toMatchObject({ mediaType: 'image/png', name: 'photo.pdf.png', subject: 'review', subjectId: null });
      for (const [fields, status] of [
        [{ subject: 'cycle', subjectId: '1' }, 400],
        [{}, 400],
        [{ subject: 'revision', subjectId: '9' }, 422],
        [{ subject: 'option', subjectId: 'nope' }, 422],
        [{ subject: 'progress', subjectId: '1' }, 422],
      ] as const) {
        const res = await upload(b, b.c.councilUser.as, fields, pdf(2000), 'x.pdf');
        expect({ fields, status: res.status }).toEqual({ fields, status });
      }
      await b.c.councilUser.as.post(`/v1/cycles/${b.cycleId}/attachments`, { subject: 'revision' }).expect(415);
      const empty = await upload(b, b.c.councilUser.as, { subject: 'revision', subjectId: '1' }, Buffer.alloc(0), 'empty.pdf');
      expect(empty.status).toBe(415);
      // A member of the partnership who is no co-owner sees the list but may not attach (403).
      const bystander = await b.factory.user(b.c.orgs.mediation);
      await bystander.as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(200);
      await upload(b, bystander.as, { subject: 'revision', subjectId: '1' }, pdf(2000), 'x.pdf').expect(403);
    }, 60000);

    it('withdraw: a commissioner with a reason hides it from the list (kept with withdrawn=true), chained with the reason sealed; others 403', async () => {
      const file = pdf(4000);
      const res = await upload(b, b.c.charityUser.as, { subject: 'revision', subjectId: '1' }, file, 'wrong.pdf').expect(201);
      const url = `/v1/cycles/${b.cycleId}/attachments/${res.body.id}/withdraw`;
      await b.c.charityUser.as.post(url, { reason: 'Mine, but wrong' }).expect(403);
      await b.c.panel[0].as.post(url, { reason: 'Wrong' }).expect(403);
      await b.c.councilUser.as.post(url, { reason: '' }).expect(400);
      const done = await b.c.councilUser.as.post(url, { reason: 'The wrong year’s figures' }).expect(200);
      expect(done.body).toMatchObject({ withdrawn: true, withdrawnBy: b.c.councilUser.id, withdrawnReason: 'The wrong year’s figures' });
      await b.c.councilUser.as.post(url, { reason: 'Again' }).expect(422);
      const listed = (await b.c.charityUser.as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(200)).body.items;
      expect(listed.map((a: { id: string }) => a.id)).not.toContain(res.body.id);
      const all = (await b.c.charityUser.as.get(`/v1/cycles/${b.cycleId}/attachments?withdrawn=true`).expect(200)).body.items;
      expect(all.map((a: { id: string }) => a.id)).toContain(res.body.id);
      await download(b, b.c.charityUser.as, res.body.id).expect(404);
      expect(Buffer.compare((await download(b, b.c.councilUser.as, res.body.id).expect(200)).body as Buffer, file)).toBe(0);
      const history = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history?limit=100`).expect(200)).body.items;
      expect(history.find((h: { type: string }) => h.type === 'ATTACHMENT_WITHDRAWN')).toMatchObject({
        actorUserId: b.c.councilUser.id,
        payload: { attachmentId: res.body.id, sha256: sha(file), reason: 'The wrong year’s figures' },
      });
      const [row]: { seals: Record<string, unknown> }[] = await b.api.app.get(DataSource).query(`SELECT seals FROM cycle_history WHERE cycle_id = $1 AND type = 'ATTACHMENT_WITHDRAWN'`, [b.cycleId]);
      expect(Object.keys(row.seals)).toEqual(['/reason']);
      expect((await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history/verify?full=true`).expect(200)).body.intact).toBe(true);
    });

    it('an upload cut off part way through its COPY stores nothing, and the connection goes back to the pool fit for the next', async () => {
      const before = await rowsOf(b);
      const db = b.api.app.get(DataSource);
      const copying = async () =>
        ((await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND query LIKE 'COPY attachment_chunks%'`)) as { n: number }[])[0].n;
      const server = b.api.http as Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const boundary = 'cutoff';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nreview\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      );
      const req = httpRequest({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        method: 'POST',
        path: `/v1/cycles/${b.cycleId}/attachments`,
        headers: { authorization: `Bearer ${b.c.charityUser.as.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + 10 * MB },
      });
      req.on('error', () => undefined);
      req.write(head);
      req.write(pdf(3 * MB));
      // Three of its ten MB sent, its chunks going into attachment_chunks: then the client is gone.
      await eventually(copying, (n) => n === 1);
      req.destroy();
      await eventually(copying, (n) => n === 0);
      expect(await rowsOf(b)).toEqual(before);
      // The pool still works, the connection the COPY was on with the rest: three uploads at once, each kept whole.
      const files = [1, 2, 3].map(() => pdf(2 * MB));
      const answers = await Promise.all(files.map((file, i) => upload(b, b.c.icbUser.as, { subject: 'review' }, file, `After ${i}.pdf`).expect(201)));
      for (const [i, answer] of answers.entries()) expect(sha((await download(b, b.c.councilUser.as, answer.body.id).expect(200)).body as Buffer)).toBe(sha(files[i]));
      const chunks = files.reduce((n, file) => n + Math.ceil(file.length / MB), 0);
      expect(await rowsOf(b)).toEqual({ n: before.n + 3, chunks: before.chunks + chunks });
    }, 60000);

    it('subject access lists a person’s uploads; erasure drops their names and bytes, keeping each sha256 (the history still verifies)', async () => {
      const leaver = await b.factory.user(b.c.orgs.council, 'Leaving Officer');
      const file = pdf(3 * MB);
      const res = await upload(b, leaver.as, { subject: 'revision', subjectId: '1' }, file, 'Assessment of Ada Jones.pdf').expect(201);
      const exported = (await leaver.as.get('/v1/me/export').expect(200)).body;
      expect(exported.attachments).toEqual([expect.objectContaining({ relation: 'uploaded', id: res.body.id, name: 'Assessment of Ada Jones.pdf', sha256: sha(file), bytes: file.length })]);
      await b.factory.admin.post(`/v1/users/${leaver.id}/erase`, { reason: 'Request DP-9' }).expect(200);
      const listed = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/attachments`).expect(200)).body.items;
      expect(listed.find((a: { id: string }) => a.id === res.body.id)).toMatchObject({ name: '[erased]', erased: true, sha256: sha(file) });
      await download(b, b.c.councilUser.as, res.body.id).expect(404);
      const [{ chunks }]: { chunks: number }[] = await b.api.app.get(DataSource).query(`SELECT count(*)::int AS chunks FROM attachment_chunks WHERE attachment_id = $1`, [res.body.id]);
      expect(chunks).toBe(0);
      const history = (await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history?limit=200`).expect(200)).body.items;
      const entry = history.find((h: { type: string; payload: { attachmentId?: string } }) => h.type === 'ATTACHED' && h.payload.attachmentId === res.body.id);
      expect(entry.payload).toMatchObject({ name: '[erased]', sha256: sha(file) });
      expect(JSON.stringify(history)).not.toContain('Ada Jones');
      expect((await b.c.councilUser.as.get(`/v1/cycles/${b.cycleId}/history/verify?full=true`).expect(200)).body.intact).toBe(true);
    }, 60000);
  });
});
