/**
 * What PostgreSQL hands back untyped: a jsonb column's object, a raw query's row. Its values are
 * typed by the SQL, not the compiler; `unknown` will not do, as TypeORM's insert() types refuse
 * Record<string, unknown> for a jsonb column. The one place `any` is allowed for them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonObject = Record<string, any>;
/** A row of `dataSource.query()`, its columns by their SQL names. */
export type QueryRow = JsonObject;
