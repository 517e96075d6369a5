export * from './database.module';
export * from './data-source-options';
export * from './ensure-database';
export * from './migrate';
export * from './prepared';
export * from './batcher';
export * from './transactions';
export * from './from-json';
