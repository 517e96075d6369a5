import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { entityFromJson } from './from-json';

@Entity('plain_things')
class PlainThing {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'seen_at', type: 'timestamptz', nullable: true }) seenAt!: Date | null;
  @Column({ type: 'jsonb' }) tags!: string[];
  @Column({ type: 'int' }) count!: number;
  @Column({ type: 'boolean' }) open!: boolean;
}

@Entity('money_things')
class MoneyThing {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'numeric' }) amount!: string;
}

describe('an entity from a row made JSON', () => {
  // Metadata only: the data source is never connected (buildMetadatas is what initialize runs first).
  const dataSource = new DataSource({ type: 'postgres', entities: [PlainThing, MoneyThing] });
  beforeAll(() => (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas());

  it('takes each column by its database name, timestamps as Dates, nulls as nulls', () => {
    const thing = entityFromJson(dataSource, PlainThing, { id: 'a', note: null, seen_at: '2031-02-20T10:00:00.123456+00:00', tags: ['x'], count: 3, open: true, extra: 1 });
    expect(thing).toBeInstanceOf(PlainThing);
    expect(thing).toEqual({ id: 'a', note: null, seenAt: new Date('2031-02-20T10:00:00.123Z'), tags: ['x'], count: 3, open: true });
    expect(entityFromJson(dataSource, PlainThing, { id: 'b', seen_at: null }).seenAt).toBeNull();
  });

  it('refuses a column TypeORM would read otherwise', () => {
    expect(() => entityFromJson(dataSource, MoneyThing, { id: 'a', amount: 12.5 })).toThrow(/MoneyThing.amount \(numeric\)/);
  });
});
