/** The configuration library's public face: the environment schema, its loading, keys and shutdown. */
export * from './config.schema';
export * from './load-config';
export * from './config.module';
export * from './shutdown';
export * from './keys';
