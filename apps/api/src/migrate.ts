import 'reflect-metadata';
import { loadConfig, runMain } from '@app/config';
import { migrate } from '@app/database';

/** `npm run migration:run`: creates the database if missing and applies pending migrations. */
runMain(async () => {
  const applied = await migrate(loadConfig().database.url);
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date.');
});
