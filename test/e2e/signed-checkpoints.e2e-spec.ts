import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import { loadConfig } from '@app/config';
import { SignedCheckpointsService, headStatement } from '@app/cycles';
import { chainedEntry } from '@app/history';
import { AUDIT_QUEUE, bullConnection } from '@app/queue';
import { Collaboration, Factory, TestApi, TestUser, asOwner, collaboration, createTestApi, createTestWorker, cycleSteps, waitFor } from '@test/support';
import { accessibilityProblems, createTestWeb, screenshot } from '@test/support/test-web';
import { SIGN_DAY_SCHEDULER, SignedCheckpointWorker } from '../../apps/worker/src/signed-checkpoint.worker';

/** What anyone holding only the public key checks: the signature covers the statement's bytes. */
const verifies = (publicKeyPem: string, statement: string, signature: string) => verify(null, Buffer.from(statement, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));

describe('signed checkpoints of the histories', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let outsider: TestUser;
  const steps = () => cycleSteps(c);
  // Days of their own (the run's database is shared with other files, whose workers may sign today).
  const days = ['2091-03-01', '2091-03-02', '2091-03-03'];

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
    outsider = await factory.user(await factory.organisation('commissioner', 'Southshire Council'));
  });
  afterAll(() => api.close());

  const revised = async (statement: string) => {
    const id = await c.newCycle();
    await steps().toFraming(id);
    await steps().ok(c.forumUser.as, id, { type: 'REVISE_PROBLEM', statement });
    return id;
  };

  it('signs every history’s head with a key outside the database, once a day; anyone verifies with the public key alone', async () => {
    const id = await revised('Signed statement');
    const { version } = (await c.councilUser.as.get(`/v1/cycles/${id}`).expect(200)).body;
    const agreement = (await c.councilUser.as.get(`/v1/partnerships/${c.partnershipId}/agreement`).expect(200)).body;
    const signer = api.app.get(SignedCheckpointsService);
    const signed = await signer.signDay(days[0]);
    // The same day again: the same checkpoint, not another.
    expect(await signer.signDay(days[0])).toEqual(signed);
    expect((await asOwner((m) => m.query(`SELECT count(*)::int AS n FROM signed_checkpoints WHERE day = $1`, [days[0]])))[0].n).toBe(1);

    // Published without sign-in: the day, its statement, its signature and the public key.
    const published = (await request(api.http).get('/v1/audit/checkpoints').expect(200)).body;
    expect(published).toMatchObject({ algorithm: 'Ed25519', signing: true, publicKey: expect.stringContaining('BEGIN PUBLIC KEY'), keyId: signed!.keyId });
    const day = published.items.find((d: { day: string }) => d.day === days[0]);
    expect(day).toEqual(signed);
    expect(verifies(published.publicKey, day.statement, day.signature)).toBe(true);
    expect(JSON.parse(day.statement)).toEqual({ type: 'cocommission-checkpoint', day: days[0], chains: day.chains, digest: day.digest, keyId: day.keyId });
    expect(verifies(published.publicKey, day.statement.replace(`"chains":${day.chains}`, `"chains":${day.chains + 1}`), day.signature)).toBe(false);
    // Another key's signature does not pass for the audit key's.
    const stranger = generateKeyPairSync('ed25519');
    expect(verifies(published.publicKey, day.statement, sign(null, Buffer.from(day.statement), stranger.privateKey).toString('base64'))).toBe(false);

    // The cycle's own signed head, to whoever may see the cycle: its newest entry and that entry's hash.
    const history = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    const heads = (await c.councilUser.as.get(`/v1/cycles/${id}/history/checkpoints`).expect(200)).body;
    expect(heads.publicKey).toBe(published.publicKey);
    expect(heads.items).toEqual([{ kind: 'cycle', id, seq: version, hash: history.at(-1).hash, day: days[0], keyId: day.keyId, statement: expect.any(String), signature: expect.any(String) }]);
    const [head] = heads.items;
    expect(head.statement).toBe(headStatement({ kind: 'cycle', id, seq: version, hash: head.hash, day: days[0], keyId: day.keyId }));
    expect(verifies(published.publicKey, head.statement, head.signature)).toBe(true);
    // The partnership's agreement is signed too (counted in the day's chains).
    const [agreementHead] = await asOwner((m) => m.query(`SELECT seq, statement, signature FROM signed_heads WHERE kind = 'agreement' AND chain_id = $1`, [c.partnershipId]));
    expect(agreementHead.seq).toBe(agreement.version);
    expect(verifies(published.publicKey, agreementHead.statement, agreementHead.signature)).toBe(true);

    await outsider.as.get(`/v1/cycles/${id}/history/checkpoints`).expect(404);
    await request(api.http).get(`/v1/cycles/${id}/history/checkpoints`).expect(401);
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=yesterday']) {
      const bad = await request(api.http).get(`/v1/audit/checkpoints?${query}`).expect(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    const older = (await request(api.http).get(`/v1/audit/checkpoints?limit=1&cursor=${days[1]}`).expect(200)).body;
    expect(older.items.map((d: { day: string }) => d.day)).toEqual([days[0]]);
    // That the app's role may not change or remove a checkpoint: test/medium/append-only-tables.
  });

  it('a history rewritten after it was signed is caught by comparing it with the older signed checkpoint', async () => {
    const id = await revised('Honest');
    const signer = api.app.get(SignedCheckpointsService);
    await signer.signDay(days[1]);
    // What an outsider kept: the head signed that day, and the key.
    const kept = (await c.councilUser.as.get(`/v1/cycles/${id}/history/checkpoints`).expect(200)).body;
    const [head] = kept.items;

    // The tables' owner rewrites the newest entry, chains it properly, points the cycle at it and
    // forgets what was verified: the chain holds link by link.
    const [last] = await asOwner((m) => m.query(`SELECT * FROM cycle_history WHERE cycle_id = $1 AND seq = $2`, [id, head.seq]));
    const forged = chainedEntry(id, head.seq, last.prev_hash, {
      type: last.type,
      actorUserId: last.actor_user_id,
      organisationId: last.organisation_id,
      representative: last.representative,
      fromState: last.from_state,
      toState: last.to_state,
      payload: { statement: 'Forged' },
      at: last.at,
    });
    await asOwner(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      // (Its seals go too: the forged statement is hashed as it is, in the open.)
      await m.query(`UPDATE cycle_history SET payload = $3, hash = $4, seals = NULL WHERE cycle_id = $1 AND seq = $2`, [id, head.seq, forged.payload, forged.hash]);
      await m.query(`UPDATE cycles SET history_hash = $2 WHERE id = $1`, [id, forged.hash]);
      await m.query(`DELETE FROM history_checkpoints WHERE cycle_id = $1`, [id]);
      await m.query(`UPDATE cycle_texts SET body = 'Forged' WHERE cycle_id = $1 AND body = 'Honest'`, [id]);
    });
    // The server finds it against the head it signed.
    expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toEqual({
      intact: false,
      brokenAtSeq: head.seq,
      length: head.seq,
      reason: `Entry ${head.seq} is not the entry signed on ${days[1]}: the history was rewritten since.`,
    });

    // Even with the signed head removed from the database too, the outsider's copy tells: its
    // signature holds with the public key, and the history's entry no longer has its hash.
    await asOwner(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`DELETE FROM signed_heads WHERE chain_id = $1`, [id]);
      await m.query(`DELETE FROM history_checkpoints WHERE cycle_id = $1`, [id]);
    });
    expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify?full=true`).expect(200)).body).toMatchObject({ intact: true });
    const now = (await c.councilUser.as.get(`/v1/cycles/${id}/history`).expect(200)).body;
    expect(verifies(kept.publicKey, head.statement, head.signature)).toBe(true);
    expect(JSON.parse(head.statement)).toMatchObject({ id, seq: head.seq, hash: head.hash });
    expect(now[head.seq - 1].hash).not.toBe(head.hash);

    // A head signed with another key, slipped into the table, is not taken for the audit key's.
    const stranger = generateKeyPairSync('ed25519');
    const statement = headStatement({ kind: 'cycle', id, seq: head.seq, hash: forged.hash, day: days[2], keyId: head.keyId });
    await asOwner((m) =>
      m.query(`INSERT INTO signed_heads (kind, chain_id, seq, hash, day, key_id, statement, signature) VALUES ('cycle', $1, $2, $3, $4, $5, $6, $7)`, [
        id,
        head.seq,
        forged.hash,
        days[2],
        head.keyId,
        statement,
        sign(null, Buffer.from(statement), stranger.privateKey).toString('base64'),
      ]),
    );
    expect((await c.councilUser.as.get(`/v1/cycles/${id}/history/verify`).expect(200)).body).toMatchObject({
      intact: false,
      brokenAtSeq: head.seq,
      reason: `The head signed on ${days[2]} (entry ${head.seq}) does not verify with the audit key: it was not signed by it.`,
    });
  });

  it('shows the signed heads of its cycles on the partnership’s public page', async () => {
    const id = await revised('Shown in the open');
    await api.app.get(SignedCheckpointsService).signDay(days[2]);
    await c.councilUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(202);
    await c.icbUser.as.patch(`/v1/partnerships/${c.partnershipId}`, { public: true }).expect(200); // agreed by a second commissioner
    const [head] = (await c.councilUser.as.get(`/v1/cycles/${id}/history/checkpoints`).expect(200)).body.items;
    const web = await createTestWeb();
    try {
      const page = (await request(web.app.getHttpServer()).get(`/public/partnerships/${c.partnershipId}`).expect(200)).text;
      const proof = page.slice(page.indexOf('id="proof"'));
      expect(proof).toContain(head.hash);
      expect(proof).toContain(head.signature);
      expect(proof).toContain(`Entry ${head.seq} of its history, signed on ${days[2]}`);
      expect(proof).toContain('BEGIN PUBLIC KEY');
      // Long hashes and signatures wrap rather than spill out of a phone's screen, and the section passes axe.
      const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 360, height: 800 } });
      try {
        const browser = await context.newPage();
        await browser.goto(`/public/partnerships/${c.partnershipId}`);
        await browser.locator('#proof').scrollIntoViewIfNeeded();
        await screenshot(browser, '41-public-partnership-proof');
        expect(await browser.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
        expect(await accessibilityProblems(browser)).toEqual([]);
      } finally {
        await context.close();
      }
    } finally {
      await web.close();
    }
  });

  it('health says which key signs; in production without AUDIT_SIGNING_KEY nothing is signed, and health and the checkpoints say so', async () => {
    const health = (await request(api.http).get('/health').expect(200)).body;
    expect(health.info.auditSigning).toEqual({ status: 'up', signing: true, key: 'private', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), latestDay: expect.any(String) });
    const unkeyed = await createTestApi({ config: (config) => ({ ...config, env: 'production', audit: { signingKey: null } }) });
    try {
      expect(await unkeyed.app.get(SignedCheckpointsService).signDay('2091-04-01')).toBeNull();
      expect((await request(unkeyed.http).get('/health').expect(200)).body.info.auditSigning).toMatchObject({
        status: 'up',
        signing: false,
        message: expect.stringMatching(/AUDIT_SIGNING_KEY is unset/),
      });
      expect((await request(unkeyed.http).get('/v1/audit/checkpoints').expect(200)).body).toMatchObject({ signing: false, publicKey: null, keyId: null });
      expect((await asOwner((m) => m.query(`SELECT count(*)::int AS n FROM signed_checkpoints WHERE day = '2091-04-01'`)))[0].n).toBe(0);
    } finally {
      await unkeyed.close();
    }
  });

  it('the worker keeps a BullMQ job scheduler for it, put back after a flush, and signs today once', async () => {
    const config = loadConfig();
    const queue = new Queue(AUDIT_QUEUE, { connection: bullConnection(config.redis), prefix: config.redis.prefix });
    const worker = await createTestWorker();
    try {
      const schedulers = async () => (await queue.getJobSchedulers()).map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz }));
      await waitFor(async () => (await schedulers()).length > 0, 5000, 'the scheduler');
      expect(await schedulers()).toEqual([{ key: SIGN_DAY_SCHEDULER, pattern: '10 0 * * *', tz: 'UTC' }]);
      // Redis flushed (the audit queue's keys): the next start puts it back.
      const redis = new IORedis(config.redis.url);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}:${AUDIT_QUEUE}:*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
      expect(await schedulers()).toEqual([]);
      const signer = worker.app.get(SignedCheckpointWorker);
      await signer.schedule(0);
      expect(await schedulers()).toEqual([{ key: SIGN_DAY_SCHEDULER, pattern: '10 0 * * *', tz: 'UTC' }]);
      // Today, unsigned, is signed by the job the start added (at once here).
      const checkpoints = worker.app.get(SignedCheckpointsService);
      const today = checkpoints.today();
      const signed = await waitFor(() => checkpoints.day(today), 20000, 'today’s checkpoint');
      expect(signed.day).toBe(today);
      // Once signed, another run of the day changes nothing.
      await signer.schedule(0);
      expect(await checkpoints.signDay(today)).toEqual(signed);
      expect((await asOwner((m) => m.query(`SELECT count(*)::int AS n FROM signed_checkpoints WHERE day = $1`, [today])))[0].n).toBe(1);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
