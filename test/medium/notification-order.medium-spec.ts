import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AccountsService } from '@app/accounts';
import { AppConfigModule, loadConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { ACCOUNT_LOCKED, NotificationsModule } from '@app/notifications';
import { EMAIL_PENDING_SQL, NotificationsRepository } from '@app/notifications/notifications.repository';
import { DataSource } from 'typeorm';
import { QueueModule } from '@app/queue';

/** The order the email relay reads waiting notifications in (no worker runs here: nothing is routed meanwhile). */
describe('notifications waiting for email', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, NotificationsModule] }).compile();
    app = await moduleRef.init();
  });
  afterAll(() => app.close());

  it('routes news of an account before any backlog of work emails, older ones included', async () => {
    const accounts = app.get(AccountsService);
    // The run's tests share one database, and the API creates its admin only while no user exists: the admin comes first.
    await accounts.bootstrapAdmin(loadConfig().admin);
    const organisation = await accounts.createOrganisation(`Waiting ${randomUUID()}`, 'provider');
    const user = await accounts.createUser({ email: `${randomUUID()}@example.org`, name: 'Someone', password: 'a long password for tests', organisationId: organisation.id });
    const notifications = app.get(NotificationsRepository);
    const work = (n: number) => ({ userId: user.id, kind: 'milestone.due', cycleId: null, milestoneId: null, text: `Work ${n}`, dedupeKey: `work-${randomUUID()}` });
    await notifications.notify([work(1), work(2)]);
    await notifications.notify([{ userId: user.id, kind: ACCOUNT_LOCKED, cycleId: null, milestoneId: null, text: 'Locked', dedupeKey: `lock-${randomUUID()}` }]);
    const order = (await notifications.emailPending(1_000_000)).map((p: { kind: string }) => p.kind.startsWith('account.'));
    expect(order).toContain(true);
    expect(order.slice(order.indexOf(false))).not.toContain(true);
  });

  it('reads a batch in that order from its index, sorting nothing (a backlog of millions costs what a few rows do)', async () => {
    const runner = app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // This database's few rows would be read whole and sorted: the plan for a large table is asked for.
      await runner.query(`SET LOCAL enable_seqscan = off`);
      await runner.query(`SET LOCAL enable_bitmapscan = off`);
      const [{ 'QUERY PLAN': plan }] = (await runner.query(`EXPLAIN (FORMAT JSON) ${EMAIL_PENDING_SQL.replace('$1', '100')}`)) as { 'QUERY PLAN': unknown }[];
      const text = JSON.stringify(plan);
      expect(text).toContain('"Index Name":"notifications_email_queue_idx"');
      expect(text).not.toContain('"Node Type":"Sort"');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
