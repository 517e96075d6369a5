/** The columns every hash-chained history shares (cycles', agreements', partnerships'): one place for them. */
import type { JsonObject } from '@app/database';
import { Column } from 'typeorm';
import type { HashScheme } from './chain';

/**
 * What an entry says and how it is chained. Each history's entity extends it with its own keys
 * (the chain's subject and `seq`), relation and checks, and names the hash schemes it allows
 * (`S`: the cycles' 1–3, the others' 3 alone).
 */
export abstract class ChainedEntryColumns<S extends HashScheme = HashScheme> {
  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  /** Whether the actor was one of their organisation's representatives (hashed from scheme 3). */
  @Column({ type: 'boolean', default: false })
  representative!: boolean;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: string | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: string;

  @Column({ type: 'jsonb' })
  payload!: JsonObject;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  /**
   * How `hash` was computed (chain.ts): 1 before RFC 8785, 2 since, 3 with `representative`, 4 with
   * personal fields sealed. The database fills it in: each entity declares the column with its
   * table's default (`hashSchemeColumn`).
   */
  hashScheme!: S;
}

/** The `hash_scheme` column, with the scheme the table's new entries are hashed in as its default. */
export const hashSchemeColumn = (scheme: HashScheme) => Column({ name: 'hash_scheme', type: 'smallint', default: scheme, insert: false, update: false });
