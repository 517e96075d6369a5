/** Named prepared statements for the few queries on the hot path, on TypeORM's own pool. */
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * A named, prepared statement on the pool TypeORM already holds, for the few statements on the
 * hot path (a cycle's read and its event write): PostgreSQL plans it once per connection, and no
 * query building or entity hydration runs per request. Everything else goes through TypeORM.
 */
export function preparedStatement<Row>(dataSource: DataSource, name: string, text: string) {
  return async (values: unknown[]): Promise<Row[]> => {
    const pool = (dataSource.driver as PostgresDriver).master as PgPool;
    return (await pool.query({ name, text, values })).rows as Row[];
  };
}
