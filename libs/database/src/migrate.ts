/** Applying pending migrations as the tables' owner, then giving the app's role its privileges. */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';
import { grantAppRole, separateAppRole } from './roles';

const MIGRATION_LOCK = 72_616_001;

/**
 * Creates the database when missing and applies pending migrations as `url`'s role (the tables'
 * owner); returns their names. With `appUrl` logging in as another role, that role is then given
 * the app's privileges (see grantAppRole), created first when missing and possible.
 */
export async function migrate(url: string, options: { appUrl?: string } = {}): Promise<string[]> {
  await ensureDatabase(url);
  const dataSource = new DataSource({ ...dataSourceOptions(url, 2), logging: false });
  await dataSource.initialize();
  // Several processes may start at once: one migrates, the others wait for it.
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    // Under the lock too: PostgreSQL refuses two GRANTs on one table at the same moment.
    if (options.appUrl && separateAppRole(url, options.appUrl)) await grantAppRole(url, options.appUrl);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
