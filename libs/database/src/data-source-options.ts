/** The data source's connection and migrations settings, shared by Nest and the TypeORM CLI. */
import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * The connection and the migrations. Entities are not listed here: each feature module registers
 * its own (`TypeOrmModule.forFeature`, with `autoLoadEntities`); the TypeORM CLI's data source
 * (`config/data-source.ts`) and the schema test pass every feature's list.
 */
export function dataSourceOptions(url: string, poolSize = 20, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // TypeORM's own logger prints query parameters, password hashes included: errors are logged by the API instead.
    logging: false,
    extra: { max: poolSize, application_name: 'cocommission' },
  };
}
