import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions, migrate, withoutJit } from '@app/database';
import { ALL_ENTITIES } from '../../config/data-source';
import { CycleTexts1764200000000 } from '@app/database/migrations/1764200000000-cycle-texts';

describe('database', () => {
  let dataSource: DataSource;

  // As the tables' owner: the schema compared with the entities, a scratch schema, migrations.
  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(loadConfig().database.migrationUrl, 2, ALL_ENTITIES)).initialize();
  });
  afterAll(() => dataSource.destroy());

  it('withoutJit runs its work with JIT compilation off, in a transaction of its own, and leaves the setting as it was', async () => {
    const setting = async (run: (sql: string) => Promise<{ jit: string }[]>) => (await run(`SELECT current_setting('jit') AS jit`))[0].jit;
    const before = await setting((sql) => dataSource.query(sql));
    expect(await withoutJit(dataSource, (manager) => setting((sql) => manager.query(sql)))).toBe('off');
    expect(await setting((sql) => dataSource.query(sql))).toBe(before);
  });

  it('the migrations build exactly the schema the entities describe', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('moving texts out of stored snapshots takes every statement and summary out and back, in order (on a scratch schema)', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`CREATE SCHEMA texts_migration`);
      await runner.query(`SET LOCAL search_path = texts_migration`);
      await runner.query(`CREATE TABLE cycles (id uuid PRIMARY KEY, snapshot jsonb NOT NULL)`);
      const fat = {
        value: 'options',
        context: {
          problem: { revisions: [1, 2, 3].map((n) => ({ number: n, statement: `Statement ${n}`, carriedForward: n === 1 })), endorsements: [] },
          options: ['b', 'a'].map((id) => ({ id, title: `Option ${id}`, summary: `Summary ${id}`, status: 'live' })),
        },
      };
      const id = '00000000-0000-4000-8000-000000000001';
      await runner.query(`INSERT INTO cycles VALUES ($1, $2), ('00000000-0000-4000-8000-000000000002', '{"value":"draft","context":{}}')`, [id, fat]);
      const migration = new CycleTexts1764200000000();
      await migration.up(runner);
      const [{ snapshot }] = await runner.query(`SELECT snapshot FROM cycles WHERE id = $1`, [id]);
      expect(snapshot.context.problem.revisions).toEqual([1, 2, 3].map((n) => ({ number: n, carriedForward: n === 1 })));
      expect(snapshot.context.options).toEqual(['b', 'a'].map((o) => ({ id: o, title: `Option ${o}`, status: 'live' })));
      const texts = await runner.query(`SELECT key, body FROM cycle_texts WHERE cycle_id = $1 ORDER BY key`, [id]);
      expect(texts).toEqual([
        { key: 'option:a', body: 'Summary a' },
        { key: 'option:b', body: 'Summary b' },
        { key: 'revision:1', body: 'Statement 1' },
        { key: 'revision:2', body: 'Statement 2' },
        { key: 'revision:3', body: 'Statement 3' },
      ]);
      await migration.down(runner);
      expect((await runner.query(`SELECT snapshot FROM cycles WHERE id = $1`, [id]))[0].snapshot).toEqual(fat);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('migrating again, from several processes at once, changes nothing', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrate(loadConfig().database.migrationUrl, { appUrl: loadConfig().database.url })));
    expect(runs).toEqual([[], [], []]);
  });

  it('a member user must belong to an organisation', async () => {
    await expect(dataSource.query(`INSERT INTO users (email, name, password_hash, role) VALUES ('a@b.c', 'A', 'x', 'member')`)).rejects.toThrow(/users_member_has_organisation/);
  });
});
