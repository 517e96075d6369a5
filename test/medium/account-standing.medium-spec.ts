import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AccountsModule, AccountsService, principalOf } from '@app/accounts';
import { AccountsRepository } from '@app/accounts/accounts.repository';
import { AppConfigModule, loadConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';

/** Whether an account still stands (active, same generation), as the accounts service reads it: in batches, and briefly kept. */
describe('an account’s standing', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule, DatabaseModule, QueueModule, AccountsModule] }).compile();
    app = await moduleRef.init();
    // The run's tests share one database, and the API creates its admin only while no user exists: the admin comes first.
    await app.get(AccountsService).bootstrapAdmin(loadConfig().admin);
  });
  afterAll(() => app.close());

  it('standings not yet known are read together, and a deactivation made elsewhere is refused within a second', async () => {
    const accounts = app.get(AccountsService);
    const org = await accounts.createOrganisation(`Standing ${randomUUID()}`, 'provider');
    const users = await Promise.all(
      Array.from({ length: 12 }, () => accounts.createUser({ email: `${randomUUID()}@example.org`, name: 'Someone', password: 'a long password for tests', organisationId: org.id })),
    );
    const principals = await Promise.all(users.map(async (u) => principalOf(await accounts.getUser(u.id))));
    const reads = jest.spyOn(app.get(AccountsRepository), 'standingOf');
    try {
      // Twelve people at once: the first read goes at once, the eleven that came meanwhile in one statement.
      await Promise.all(principals.map((p) => accounts.requireCurrent(p)));
      expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
      expect(reads.mock.calls.flatMap(([ids]) => ids).sort()).toEqual(users.map((u) => u.id).sort());

      // Deactivated by another process (straight in the database: this process's cache is not told).
      await app.get(DataSource).query('UPDATE users SET active = false WHERE id = $1', [users[0].id]);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      await expect(accounts.requireCurrent(principals[0])).rejects.toThrow('This account has been deactivated.');
      await accounts.requireCurrent(principals[1]);
    } finally {
      reads.mockRestore();
    }
  });
});
