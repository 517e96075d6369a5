import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

const TIMESTAMPS = new Set(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone']);

/**
 * An entity from a row PostgreSQL made JSON of (`to_jsonb(row)`), as TypeORM would have read it:
 * each column by its database name into its property, timestamps as Dates. For statements that
 * read an aggregate's parts at once (one round trip for what would be several finds); relations
 * are the caller's to attach.
 */
export function entityFromJson<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    const value = row[column.databaseName];
    if (value === undefined) continue;
    column.setEntityValue(entity, value !== null && typeof column.type === 'string' && TIMESTAMPS.has(column.type) ? new Date(value as string) : value);
  }
  return entity;
}
