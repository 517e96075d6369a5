/** The outbox's table: jobs to put in Redis, written in the transaction that made them necessary. */
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { JsonObject } from '@app/database';

/** Jobs to put in Redis, written in the transaction that made them necessary. */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'jsonb' })
  payload!: JsonObject;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
