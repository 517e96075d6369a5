import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { migrate } from '@app/database';

/** `npm run migration:run`: creates the database if missing and applies pending migrations. */
migrate(loadConfig().database.url)
  .then((applied) => {
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date.');
  })
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 78 : 1);
  });
