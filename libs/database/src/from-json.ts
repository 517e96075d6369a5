/** Entities read from rows PostgreSQL made JSON of, as TypeORM would have read them (one round trip for an aggregate's parts). */
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

const TIMESTAMPS = new Set(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone']);
/** Column types whose JSON is what TypeORM's read gives (text and uuid strings, jsonb as is, int and boolean). */
const AS_IS = new Set(['uuid', 'text', 'varchar', 'character varying', 'jsonb', 'json', 'int', 'integer', 'int4', 'smallint', 'boolean', 'bool']);

/**
 * An entity from a row PostgreSQL made JSON of (`to_jsonb(row)`), as TypeORM would have read it:
 * each column by its database name into its property, timestamps as Dates. For statements that
 * read an aggregate's parts at once (one round trip for what would be several finds); relations
 * are the caller's to attach. A column it cannot read as TypeORM would (a transformer, a `numeric`
 * or `bigint` that TypeORM gives as a string, a `date`) is refused at once, not read differently.
 */
export function entityFromJson<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    const value = row[column.databaseName];
    if (value === undefined) continue;
    const type = typeof column.type === 'string' ? column.type : '';
    if (column.transformer || !(TIMESTAMPS.has(type) || AS_IS.has(type))) {
      throw new Error(
        `entityFromJson: ${metadata.name}.${column.propertyName} (${type || 'a type by constructor'}${column.transformer ? ', transformed' : ''}) is not read from JSON as TypeORM reads it`,
      );
    }
    column.setEntityValue(entity, value !== null && TIMESTAMPS.has(type) ? new Date(value as string) : value);
  }
  return entity;
}
