/** `npm run migration:run`: applies pending migrations, then grants the app's role what it needs. */
import 'reflect-metadata';
import { loadConfig, runMain } from '@app/config';
import { migrate, roleOf, separateAppRole } from '@app/database';

/**
 * `npm run migration:run`: creates the database if missing and applies pending migrations as
 * MIGRATION_DATABASE_URL's role, then grants DATABASE_URL's role (when another) what the apps need.
 */
runMain(async () => {
  const { database } = loadConfig();
  const applied = await migrate(database.migrationUrl, { appUrl: database.url });
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date.');
  if (separateAppRole(database.migrationUrl, database.url)) console.log(`The apps connect as ${roleOf(database.url)}, which owns nothing (migrations: ${roleOf(database.migrationUrl)}).`);
});
