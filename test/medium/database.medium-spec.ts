import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions, migrate } from '@app/database';
import { ALL_ENTITIES } from '../../config/data-source';

describe('database', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(loadConfig().database.url, 2, ALL_ENTITIES)).initialize();
  });
  afterAll(() => dataSource.destroy());

  it('the migrations build exactly the schema the entities describe', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('migrating again, from several processes at once, changes nothing', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => migrate(loadConfig().database.url)));
    expect(runs).toEqual([[], [], []]);
  });

  it('a member user must belong to an organisation', async () => {
    await expect(
      dataSource.query(`INSERT INTO users (email, name, password_hash, role) VALUES ('a@b.c', 'A', 'x', 'member')`),
    ).rejects.toThrow(/users_member_has_organisation/);
  });
});
