import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import { loadConfig } from '@app/config';
import { RETENTION_INFO, RETENTION_RECORDS, RetentionService } from '@app/data-protection';
import { RETENTION_QUEUE, bullConnection } from '@app/queue';
import { Collaboration, Factory, TestApi, TestUser, asOwner, collaboration, createTestApi, createTestWorker, testClock, waitFor } from '@test/support';
import { TestWeb, accessibilityProblems, createTestWeb, screenshot, signInOverHttp, signedIn } from '@test/support/test-web';
import { RETENTION_SCHEDULER, RetentionWorker } from '../../apps/worker/src/retention.worker';

const DAY = 86_400_000;
const DEFAULTS = RETENTION_RECORDS.map((record) => ({ record, keepDays: RETENTION_INFO[record].defaultKeepDays }));
const ago = (ms: number) => new Date(testClock().now().getTime() - ms);

/** The retention policy (issue 34 part 4): its API, the daily job that applies it, its admin page and the privacy notice drawn from it. */
describe('retention', () => {
  let api: TestApi;
  let factory: Factory;
  let c: Collaboration;
  let member: TestUser;
  const policy = () => factory.admin.get('/v1/admin/retention').expect(200);
  const restoreDefaults = () => factory.admin.put('/v1/admin/retention', { rules: DEFAULTS }).expect(200);

  beforeAll(async () => {
    api = await createTestApi();
    factory = await Factory.create(api.http);
    c = await collaboration(factory);
    member = c.councilUser;
    await restoreDefaults();
  }, 60000);
  afterAll(async () => {
    // The policy is the run's: the next file finds the defaults.
    await restoreDefaults();
    await api.close();
  });

  it('shows the policy to an admin, every record with its days and who applies it; others get 403', async () => {
    expect((await policy()).body).toEqual({
      rules: [
        { record: 'notifications', keepDays: 365, appliedBy: 'job' },
        { record: 'emailDeliveries', keepDays: 90, appliedBy: 'job' },
        { record: 'webhookDeliveries', keepDays: 90, appliedBy: 'job' },
        { record: 'webSessions', keepDays: 0, appliedBy: 'job' },
        { record: 'invitations', keepDays: 30, appliedBy: 'job' },
        { record: 'closedCyclePersonalData', keepDays: 2190, appliedBy: 'erasure' },
      ],
    });
    const refused = await member.as.get('/v1/admin/retention').expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    await member.as.put('/v1/admin/retention', { rules: DEFAULTS }).expect(403);
    await request(api.http).get('/v1/admin/retention').expect(401);
  });

  it('replaces the policy as a whole, PUT then GET; what GET answered may be sent back as it is', async () => {
    const rules = DEFAULTS.map((r) => (r.record === 'notifications' ? { ...r, keepDays: 400 } : r.record === 'webSessions' ? { ...r, keepDays: 7 } : r));
    const put = await factory.admin.put('/v1/admin/retention', { rules }).expect(200);
    expect(put.body.rules.find((r: { record: string }) => r.record === 'notifications')).toEqual({ record: 'notifications', keepDays: 400, appliedBy: 'job' });
    const got = (await policy()).body;
    expect(got).toEqual(put.body);
    // Back as GET gave it (with appliedBy, read-only and ignored).
    await factory.admin.put('/v1/admin/retention', got).expect(200);
    // Who changed it, and when: the rows the admin page shows.
    const [row] = await asOwner((m) => m.query(`SELECT r.keep_days, r.updated_by_user_id, u.role FROM retention_rules r JOIN users u ON u.id = r.updated_by_user_id WHERE r.record = 'webSessions'`));
    expect(row).toEqual({ keep_days: 7, updated_by_user_id: expect.any(String), role: 'admin' });
    await restoreDefaults();
    expect((await policy()).body.rules.map((r: { keepDays: number }) => r.keepDays)).toEqual(DEFAULTS.map((r) => r.keepDays));
  });

  it('refuses bad input with 400 naming the problem, and changes nothing (all or nothing)', async () => {
    const before = (await policy()).body;
    const withRule = (record: string, keepDays: unknown) => DEFAULTS.map((r) => (r.record === record ? { record, keepDays } : { ...r, keepDays: r.keepDays + 1 }));
    const cases: [object, RegExp][] = [
      [{}, /rules/],
      [{ rules: 'all' }, /rules/],
      [{ rules: [...DEFAULTS.slice(1), { record: 'shoeSizes', keepDays: 10 }] }, /record must be one of notifications.*|notifications missing/],
      [{ rules: withRule('notifications', -1) }, /keepDays must be 0 or more/],
      [{ rules: withRule('notifications', 1.5) }, /keepDays must be a whole number/],
      [{ rules: withRule('notifications', '30') }, /keepDays must be a whole number/],
      [{ rules: withRule('notifications', 36501) }, /keepDays must be at most 36500/],
      [{ rules: withRule('notifications', null) }, /keepDays/],
      [{ rules: DEFAULTS.slice(1) }, /notifications missing/],
      [{ rules: [...DEFAULTS, DEFAULTS[0]] }, /notifications repeated/],
      [{ rules: DEFAULTS, extra: true }, /extra/],
      [{ rules: DEFAULTS.map((r) => ({ ...r, note: 'x' })) }, /note/],
    ];
    for (const [body, problem] of cases) {
      const res = await factory.admin.put('/v1/admin/retention', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.body.errors)).toMatch(problem);
    }
    expect((await policy()).body).toEqual(before);
  });

  describe('the daily job', () => {
    let rows: Record<string, string[]>;

    /** Rows of every kind, old and fresh, made behind the app (as the tables' owner), with ids to find them again. */
    beforeAll(async () => {
      const cycleId = await c.newCycle();
      const userId = member.id;
      rows = await asOwner(async (m) => {
        const one = async (sql: string, params: unknown[]) => ((await m.query(sql, params)) as { id: string }[])[0].id;
        const notification = (at: Date, fields: { read?: boolean; email?: string; task?: boolean } = {}) =>
          one(
            `INSERT INTO notifications (user_id, kind, text, dedupe_key, created_at, read_at, email_status, state, task_key)
             VALUES ($1, 'task', 'Your turn', $2, $3, $4, $5, $6, $7) RETURNING id`,
            [userId, `retention-${randomUUID()}`, at, fields.read ? at : null, fields.email ?? 'sent', fields.task || !fields.read ? 'open' : 'done', fields.task ? `retention.${randomUUID()}` : null],
          );
        const oldRead = await notification(ago(400 * DAY), { read: true });
        const oldUnread = await notification(ago(366 * DAY));
        const oldOpenTask = await notification(ago(400 * DAY), { task: true });
        const oldUnsent = await notification(ago(400 * DAY), { email: 'digest' });
        const freshNotification = await notification(ago(10 * DAY));
        const delivery = (at: Date) =>
          one(`INSERT INTO notification_deliveries (notification_id, channel, status, attempt, at) VALUES ($1, 'email', 'sent', 1, $2) RETURNING id`, [freshNotification, at]);
        const oldEmail = await delivery(ago(91 * DAY));
        const freshEmail = await delivery(ago(89 * DAY));
        const webhook = await one(
          `INSERT INTO webhooks (partnership_id, organisation_id, url, events, secret, active, created_by_user_id) VALUES ($1, $2, 'https://partner.example.org/hook', '["*"]', 'whsec_x', false, $3) RETURNING id`,
          [c.partnershipId, member.organisationId, userId],
        );
        let seq = 0;
        const webhookDelivery = (at: Date, status: string) =>
          one(`INSERT INTO webhook_deliveries (webhook_id, event_type, cycle_id, seq, body, status, at) VALUES ($1, 'LAUNCH', $2, $3, '{}', $4, $5) RETURNING id`, [
            webhook,
            cycleId,
            ++seq,
            status,
            at,
          ]);
        const oldDelivered = await webhookDelivery(ago(100 * DAY), 'delivered');
        const oldFailed = await webhookDelivery(ago(100 * DAY), 'failed');
        const oldPending = await webhookDelivery(ago(100 * DAY), 'pending');
        const freshDelivered = await webhookDelivery(ago(80 * DAY), 'delivered');
        const session = async (expiresAt: Date) => {
          const hash = `retention-${randomUUID()}`;
          await m.query(`INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, 'csrf', $3, $4)`, [hash, userId, ago(DAY), expiresAt]);
          return hash;
        };
        const expiredSession = await session(ago(60_000));
        const liveSession = await session(ago(-3_600_000));
        const invitation = (expiresAt: Date, guest: string | null) =>
          one(
            `INSERT INTO cycle_invitations (cycle_id, email, name, role, token_hash, invited_by_user_id, expires_at, used_at, guest_user_id)
             VALUES ($1, $2, 'A guest', 'voice', $3, $4, $5, $6, $7) RETURNING id`,
            [cycleId, `${randomUUID()}@example.org`, `retention-${randomUUID()}`, userId, expiresAt, guest ? ago(40 * DAY) : null, guest],
          );
        const oldInvitation = await invitation(ago(31 * DAY), null);
        const followedInvitation = await invitation(ago(31 * DAY), c.forumUser.id);
        const freshInvitation = await invitation(ago(29 * DAY), null);
        return {
          gone: [oldRead, oldUnread, oldEmail, oldDelivered, oldFailed, expiredSession, oldInvitation],
          kept: [oldOpenTask, oldUnsent, freshNotification, freshEmail, oldPending, freshDelivered, liveSession, followedInvitation, freshInvitation],
        };
      });
    });

    /** Which of `ids` are still in the database. */
    const present = (ids: string[]) =>
      asOwner(async (m) => {
        const found: { id: string }[] = await m.query(
          `SELECT id::text FROM notifications WHERE id::text = ANY($1) UNION ALL SELECT id::text FROM notification_deliveries WHERE id::text = ANY($1)
           UNION ALL SELECT id::text FROM webhook_deliveries WHERE id::text = ANY($1) UNION ALL SELECT token_hash FROM web_sessions WHERE token_hash = ANY($1)
           UNION ALL SELECT id::text FROM cycle_invitations WHERE id::text = ANY($1)`,
          [ids],
        );
        return found.map((r) => r.id).sort();
      });

    it('deletes what is older than its period in batches, keeps the fresh and what is still needed, and a second run changes nothing', async () => {
      const retention = api.app.get(RetentionService);
      // Batches of two: every kind takes more than one statement, or ends on a short one.
      const first = await retention.apply(2);
      expect(first).toEqual({
        notifications: expect.any(Number),
        emailDeliveries: expect.any(Number),
        webhookDeliveries: expect.any(Number),
        webSessions: expect.any(Number),
        invitations: expect.any(Number),
        closedCyclePersonalData: expect.any(Number),
      });
      expect(first.notifications).toBeGreaterThanOrEqual(2);
      expect(first.webhookDeliveries).toBeGreaterThanOrEqual(2);
      for (const record of ['emailDeliveries', 'webSessions', 'invitations'] as const) expect(first[record]).toBeGreaterThanOrEqual(1);
      expect(await present(rows.gone)).toEqual([]);
      // Fresh rows, an open task, a notification still to be emailed, a pending webhook delivery and a followed invitation stay.
      expect(await present(rows.kept)).toEqual([...rows.kept].sort());

      const second = await retention.apply();
      expect(second).toEqual({ notifications: 0, emailDeliveries: 0, webhookDeliveries: 0, webSessions: 0, invitations: 0, closedCyclePersonalData: 0 });
      expect(await present(rows.kept)).toEqual([...rows.kept].sort());
    });

    it('follows the policy as an admin changed it: a shorter period takes what the default kept', async () => {
      const rules = DEFAULTS.map((r) => (r.record === 'invitations' ? { ...r, keepDays: 20 } : r));
      await factory.admin.put('/v1/admin/retention', { rules }).expect(200);
      try {
        const counts = await api.app.get(RetentionService).apply();
        expect(counts.invitations).toBeGreaterThanOrEqual(1);
        const freshInvitation = rows.kept.at(-1)!;
        expect(await present([freshInvitation])).toEqual([]);
      } finally {
        await restoreDefaults();
      }
    });
  });

  it('the worker keeps a daily BullMQ job scheduler for it under the run’s prefix, put back at start after a flush', async () => {
    const config = loadConfig();
    const queue = new Queue(RETENTION_QUEUE, { connection: bullConnection(config.redis), prefix: config.redis.prefix });
    const redis = new IORedis(config.redis.url);
    const worker = await createTestWorker();
    try {
      const schedulers = async () => (await queue.getJobSchedulers()).map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz }));
      await waitFor(async () => (await schedulers()).length > 0, 5000, 'the scheduler');
      expect(await schedulers()).toEqual([{ key: RETENTION_SCHEDULER, pattern: '30 2 * * *', tz: 'UTC' }]);
      expect(await redis.exists(`${config.redis.prefix}:${RETENTION_QUEUE}:repeat`)).toBe(1);
      // Redis flushed (the queue's keys): built again from code.
      const keys = await redis.keys(`${config.redis.prefix}:${RETENTION_QUEUE}:*`);
      if (keys.length) await redis.del(...keys);
      expect(await schedulers()).toEqual([]);
      await worker.app.get(RetentionWorker).schedule();
      expect(await schedulers()).toEqual([{ key: RETENTION_SCHEDULER, pattern: '30 2 * * *', tz: 'UTC' }]);
    } finally {
      await worker.close();
      await queue.close();
      redis.disconnect();
    }
  });

  describe('the web pages', () => {
    let web: TestWeb;
    beforeAll(async () => {
      web = await createTestWeb();
    }, 60000);
    afterAll(() => web?.close());

    it('the admin page shows the policy and changes it (errors summarised, nothing saved); the privacy notice shows the new days', async () => {
      const http = web.app.getHttpServer();
      const config = loadConfig();
      const admin = await signInOverHttp(web, config.admin.email, config.admin.password!);
      const page = await request(http).get('/admin/retention').set('Cookie', admin.cookie).expect(200);
      expect(page.text).toContain('Retention of records');
      expect(page.text).toContain('id="keep-notifications"');
      expect(page.text).toMatch(/value="2190"/);
      expect(page.text).toContain('Applied by the erasure of personal data');

      const form = Object.fromEntries(DEFAULTS.map((r) => [r.record, String(r.keepDays)]));
      // Without the session's form token: refused.
      await request(http).post('/admin/retention').set('Cookie', admin.cookie).type('form').send(form).expect(403);
      const bad = await request(http)
        .post('/admin/retention')
        .set('Cookie', admin.cookie)
        .type('form')
        .send({ ...form, _csrf: admin.csrf, notifications: '-5', invitations: '1.5', emailDeliveries: '40' })
        .expect(400);
      expect(bad.text).toContain('There is a problem');
      expect(bad.text).toContain('href="#keep-notifications"');
      expect(bad.text).toContain('href="#keep-invitations"');
      expect(bad.text).toContain('Enter how many days to keep notifications, as a whole number from 0 to 36,500');
      expect(bad.text).toMatch(/value="-5"/);
      expect((await policy()).body.rules.map((r: { keepDays: number }) => r.keepDays)).toEqual(DEFAULTS.map((r) => r.keepDays));

      await request(http)
        .post('/admin/retention')
        .set('Cookie', admin.cookie)
        .type('form')
        .send({ ...form, _csrf: admin.csrf, notifications: '730', closedCyclePersonalData: '2555' })
        .expect(303)
        .expect('Location', '/admin/retention?done=saved');
      try {
        expect((await policy()).body.rules.find((r: { record: string }) => r.record === 'notifications').keepDays).toBe(730);
        const saved = await request(http).get('/admin/retention?done=saved').set('Cookie', admin.cookie).expect(200);
        expect(saved.text).toContain('The retention policy is saved');

        // The notice, without sign-in, from the policy as it now stands.
        const notice = await request(http).get('/privacy').expect(200);
        expect(notice.text).toContain('Notifications are deleted 730 days (about 2 years) after they are sent');
        expect(notice.text).toContain('erased 2,555 days (about 7 years) after the cycle closes');
        expect(notice.text).toContain('Sign-in sessions are deleted once they expire');
        expect(notice.text).toContain(config.privacy.contact);
        expect(notice.text).toContain('/v1/me/export');
      } finally {
        await restoreDefaults();
      }

      // Not for anyone else.
      const someone = await signInOverHttp(web, member.email, 'correct-horse-battery-staple');
      await request(http).get('/admin/retention').set('Cookie', someone.cookie).expect(403);
      await request(http)
        .post('/admin/retention')
        .set('Cookie', someone.cookie)
        .type('form')
        .send({ ...form, _csrf: someone.csrf })
        .expect(403);
      expect((await policy()).body.rules.map((r: { keepDays: number }) => r.keepDays)).toEqual(DEFAULTS.map((r) => r.keepDays));
    });

    it('the privacy notice names the configured contact', async () => {
      const other = await createTestWeb({ config: (config) => ({ ...config, privacy: { ...config.privacy, contact: 'Jo Bloggs, Data Protection Officer, dpo@northshire.gov.uk' } }) });
      try {
        const notice = await request(other.app.getHttpServer()).get('/privacy').expect(200);
        expect(notice.text).toContain('Jo Bloggs, Data Protection Officer, dpo@northshire.gov.uk');
      } finally {
        await other.close();
      }
    });

    it('the privacy notice and the admin form pass axe', async () => {
      const context = await web.browser.newContext({ baseURL: web.base, viewport: { width: 375, height: 800 } });
      try {
        const page = await context.newPage();
        await page.goto('/privacy');
        await screenshot(page, 'privacy-375');
        expect(await accessibilityProblems(page)).toEqual([]);
      } finally {
        await context.close();
      }
      const config = loadConfig();
      const { context: adminContext, page } = await signedIn(web, config.admin.email, config.admin.password!);
      try {
        await page.goto('/admin/retention');
        expect(await accessibilityProblems(page)).toEqual([]);
        await page.fill('#keep-notifications', 'soon');
        await page.click('button:has-text("Save the retention policy")');
        await page.waitForSelector('.govuk-error-summary');
        await screenshot(page, 'admin-retention-error');
        expect(await accessibilityProblems(page)).toEqual([]);
      } finally {
        await adminContext.close();
      }
    });
  });
});
