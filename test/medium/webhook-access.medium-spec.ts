import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions } from '@app/database';
import { Webhooks1763996000000 } from '@app/database/migrations/1763996000000-webhooks';
import { WebhooksFollowAccess1764300000000 } from '@app/database/migrations/1764300000000-webhooks-follow-access';

/** The migration that binds webhooks to their organisations, on webhooks made before it (a scratch schema). */
describe('webhooks follow access: the migration', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // A scratch schema and a migration: the tables' owner's work, not the apps' role's.
    dataSource = await new DataSource(dataSourceOptions(loadConfig().database.migrationUrl, 1, [])).initialize();
  });
  afterAll(() => dataSource.destroy());

  it('binds each webhook to its maker’s organisation, switches off those that already lost access or repeat an address, with why, and back', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    try {
      await runner.query(`CREATE SCHEMA webhooks_migration`);
      await runner.query(`SET LOCAL search_path = webhooks_migration`);
      await runner.query(`CREATE TABLE organisations (id uuid PRIMARY KEY, kind text NOT NULL)`);
      await runner.query(`CREATE TABLE users (id uuid PRIMARY KEY, organisation_id uuid, active boolean NOT NULL, role text NOT NULL)`);
      await runner.query(`CREATE TABLE partnerships (id uuid PRIMARY KEY, archived_at timestamptz)`);
      await runner.query(`CREATE TABLE partnership_members (partnership_id uuid, organisation_id uuid, PRIMARY KEY (partnership_id, organisation_id))`);
      await new Webhooks1763996000000().up(runner);
      // Organisations 1 and 2 commissioners, 1 a member of partnership 10 (2 has left it); 11 is archived.
      await runner.query(`INSERT INTO organisations VALUES ($1, 'commissioner'), ($2, 'commissioner')`, [id(1), id(2)]);
      await runner.query(`INSERT INTO users VALUES ($1, $3, true, 'member'), ($2, $4, true, 'lead'), ($5, $3, false, 'member')`, [id(21), id(22), id(1), id(2), id(23)]);
      await runner.query(`INSERT INTO partnerships VALUES ($1, NULL), ($2, now())`, [id(10), id(11)]);
      await runner.query(`INSERT INTO partnership_members VALUES ($1, $3), ($2, $3)`, [id(10), id(11), id(1)]);
      const hook = (n: number, partnership: number, user: number, url: string, active = true) =>
        runner.query(
          `INSERT INTO webhooks (id, partnership_id, url, events, secret, created_by_user_id, active, created_at) VALUES ($1, $2, $3, '["*"]', 's', $4, $5, now() + $6 * interval '1 second')`,
          [id(n), id(partnership), url, id(user), active, n],
        );
      await hook(31, 10, 21, 'https://a.example/one');
      await hook(32, 10, 21, 'https://a.example/one');
      await hook(33, 10, 22, 'https://b.example/');
      await hook(34, 10, 23, 'https://c.example/');
      await hook(35, 11, 21, 'https://a.example/one');
      await hook(36, 10, 21, 'https://d.example/', false);
      await runner.query(`INSERT INTO webhook_deliveries (webhook_id, event_type, cycle_id, seq, body) VALUES ($1, 'LAUNCH', $2, 2, '{}')`, [id(33), id(90)]);
      await runner.query(
        `INSERT INTO webhook_deliveries (webhook_id, event_type, cycle_id, seq, body, status, last_error, last_status_code)
         VALUES ($1, 'CREATED', $2, 1, '{}', 'failed', 'connect ECONNREFUSED 10.1.2.3:8080', NULL), ($1, 'LAUNCH', $2, 2, '{}', 'failed', 'answered 503', 503)`,
        [id(36), id(90)],
      );

      const migration = new WebhooksFollowAccess1764300000000();
      await migration.up(runner);
      const hooks = async () =>
        (await runner.query(`SELECT id, organisation_id, active, disabled_reason FROM webhooks ORDER BY id`)).map(
          (w: { id: string; organisation_id: string; active: boolean; disabled_reason: string | null }) => [w.id.slice(-2), w.organisation_id.slice(-1), w.active, w.disabled_reason],
        );
      expect(await hooks()).toEqual([
        ['31', '1', true, null],
        ['32', '1', false, 'duplicate'],
        ['33', '2', false, 'member-removed'],
        ['34', '1', false, 'creator-deactivated'],
        ['35', '1', false, 'partnership-archived'],
        ['36', '1', false, 'failures'],
      ]);
      expect(await runner.query(`SELECT webhook_id, status, last_error FROM webhook_deliveries ORDER BY webhook_id, seq`)).toEqual([
        { webhook_id: id(33), status: 'failed', last_error: 'The webhook was switched off.' },
        { webhook_id: id(36), status: 'failed', last_error: 'The delivery could not be made.' },
        { webhook_id: id(36), status: 'failed', last_error: 'The receiver answered 503.' },
      ]);
      // A second one that is on to the same address in the partnership is refused by the database too.
      await runner.query(`SAVEPOINT twice`);
      await expect(
        runner.query(`INSERT INTO webhooks (partnership_id, organisation_id, url, events, secret, created_by_user_id) VALUES ($1, $2, 'https://a.example/one', '["*"]', 's', $3)`, [
          id(10),
          id(1),
          id(21),
        ]),
      ).rejects.toThrow(/webhooks_partnership_url_key/);
      await runner.query(`ROLLBACK TO SAVEPOINT twice`);
      // From now on the triggers keep it: the organisation leaving switches its webhook off.
      await runner.query(`DELETE FROM partnership_members WHERE partnership_id = $1 AND organisation_id = $2`, [id(10), id(1)]);
      expect((await hooks())[0]).toEqual(['31', '1', false, 'member-removed']);

      await migration.down(runner);
      expect((await runner.query(`SELECT count(*)::int AS n FROM webhooks`))[0].n).toBe(6);
      const triggers = await runner.query(
        `SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'webhooks_migration' AND t.tgname LIKE 'webhooks_follow_%'`,
      );
      expect(triggers).toEqual([{ n: 0 }]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
