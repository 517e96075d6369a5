/** The retention policy's table: one row per kind of record, how many days it is kept, and who last changed it. */
import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';

/** How long one kind of record is kept (retention.policy.ts lists the kinds and their defaults). */
@Entity('retention_rules')
@Check('retention_rules_keep_days_check', `"keep_days" >= 0 AND "keep_days" <= 36500`)
export class RetentionRuleEntity {
  @PrimaryColumn({ type: 'text' })
  record!: string;

  @Column({ name: 'keep_days', type: 'integer' })
  keepDays!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** The admin who last changed it; null while it is the migration's default (or once that admin is erased). */
  @Column({ name: 'updated_by_user_id', type: 'uuid', nullable: true })
  updatedByUserId!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'updated_by_user_id', foreignKeyConstraintName: 'retention_rules_updated_by_fkey' })
  updatedBy?: UserEntity;
}
