import { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions } from '@app/database';

/**
 * A connection as the tables' owner (MIGRATION_DATABASE_URL), for what a test does behind the
 * apps, which connect as a role that may not: switch triggers off, alter history, add a trigger,
 * run a migration. The caller destroys it.
 */
export function ownerDataSource(): Promise<DataSource> {
  return new DataSource({ ...dataSourceOptions(loadConfig().database.migrationUrl, 1), logging: false }).initialize();
}

/** One transaction as the tables' owner (see ownerDataSource). */
export async function asOwner<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
  const owner = await ownerDataSource();
  try {
    return await owner.transaction(work);
  } finally {
    await owner.destroy();
  }
}
