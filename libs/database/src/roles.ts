/** The app's own PostgreSQL role: given the DML it needs on the migrations' tables, never ownership. */
import { Client } from 'pg';

/** The user a connection string logs in as (PostgreSQL's own default, the OS user, is not guessed: URLs here name one). */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** Whether the app connects as a role of its own rather than as the migrations' (the tables' owner). */
export function separateAppRole(migrationUrl: string, appUrl: string): boolean {
  return roleOf(appUrl) !== '' && roleOf(appUrl) !== roleOf(migrationUrl);
}

/**
 * Gives the app's role what it needs and nothing more, connected as the migrations' role (the
 * owner of every table): SELECT, INSERT, UPDATE and DELETE on the tables, but only SELECT and
 * INSERT on an append-only history (any table with an `*_append_only` trigger; UPDATE of its
 * `payload` and `seals` alone where it seals personal fields, which its trigger checks), the sequences'
 * values, and the same by default on whatever a later migration creates. Never ownership,
 * TRUNCATE, TRIGGER or REFERENCES: the app cannot switch a trigger off, alter a table or empty one.
 * The role is created when missing and the owner may create roles (with the URL's password, if any).
 */
export async function grantAppRole(migrationUrl: string, appUrl: string): Promise<void> {
  const role = roleOf(appUrl);
  const client = new Client({ connectionString: migrationUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (!exists.rowCount) {
      const password = decodeURIComponent(new URL(appUrl).password);
      const [{ sql }] = (
        await client.query<{ sql: string }>(`SELECT CASE WHEN $2 = '' THEN format('CREATE ROLE %I LOGIN', $1::text) ELSE format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text) END AS sql`, [
          role,
          password,
        ])
      ).rows;
      try {
        await client.query(sql);
      } catch (error) {
        const code = (error as { code?: string }).code;
        // 42710: another process created it meanwhile (roles are the cluster's, not the database's).
        if (code !== '42710' && code !== '23505') {
          throw new Error(
            `The app's role ${role} does not exist and could not be created (${(error as Error).message}): create it, or run the app as the migrations' role by leaving MIGRATION_DATABASE_URL unset`,
          );
        }
      }
    }
    const r = (await client.query<{ r: string }>('SELECT quote_ident($1) AS r', [role])).rows[0].r;
    const owner = (await client.query<{ o: string }>('SELECT quote_ident(current_user) AS o')).rows[0].o;
    const database = (await client.query<{ d: string }>('SELECT quote_ident(current_database()) AS d')).rows[0].d;
    const appendOnly = (
      await client.query<{ t: string }>(
        `SELECT DISTINCT quote_ident(c.relname) AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_proc p ON p.oid = g.tgfoid WHERE n.nspname = 'public' AND p.proname LIKE '%append_only' ORDER BY 1`,
      )
    ).rows.map((row) => row.t);
    // An append-only history with sealed personal fields (`seals`): its trigger lets their texts be released, and nothing else (hash scheme 4).
    const sealed = (
      await client.query<{ t: string }>(
        `SELECT quote_ident(table_name) AS t FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'seals' AND quote_ident(table_name) = ANY($1) ORDER BY 1`,
        [appendOnly],
      )
    ).rows.map((row) => row.t);
    await client.query('BEGIN');
    for (const statement of [
      `GRANT CONNECT ON DATABASE ${database} TO ${r}`,
      `GRANT USAGE ON SCHEMA public TO ${r}`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
      ...appendOnly.map((table) => `REVOKE UPDATE, DELETE ON ${table} FROM ${r}`),
      ...sealed.map((table) => `GRANT UPDATE (payload, seals) ON ${table} TO ${r}`),
      `REVOKE INSERT, UPDATE, DELETE ON "migrations" FROM ${r}`,
      // What later migrations create (run as this same owner) is covered before anyone grants again.
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${r}`,
    ]) {
      await client.query(statement);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Drops a role once nothing in `url`'s database is granted to it (a test run's own, after its databases are gone). */
export async function dropRole(url: string, role: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const [{ r }] = (await client.query<{ r: string }>('SELECT quote_ident($1) AS r', [role])).rows;
    await client.query(`DROP ROLE IF EXISTS ${r}`);
  } finally {
    await client.end();
  }
}
