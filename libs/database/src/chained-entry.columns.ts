/** The columns every hash-chained history shares (cycles', agreements', partnerships'): one place for them. */
import { Column } from 'typeorm';

/**
 * What an entry says and how it is chained. Each history's entity extends it with its own keys,
 * relation and `hash_scheme` (the schemes it allows differ).
 */
export abstract class ChainedEntryColumns {
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
  payload!: Record<string, any>;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;
}
