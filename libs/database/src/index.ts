/** The database library's public face: the data source module, migrations, roles, transactions and row helpers. */
export * from './database.module';
export * from './data-source-options';
export * from './ensure-database';
export * from './migrate';
export * from './roles';
export * from './prepared';
export * from './batcher';
export * from './transactions';
export * from './from-json';
export * from './refused';
export * from './json-types';
export * from './feature-repository';
