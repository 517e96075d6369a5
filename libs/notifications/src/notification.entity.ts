/** The notifications feature's tables: what a person is told (and its email state, the outbox) and each delivery try. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';

export type NotificationState = 'open' | 'done';
export type EmailStatus = 'pending' | 'digest' | 'sent' | 'skipped' | 'failed';

/**
 * Something a person is told, in the app and by email: a task (open until anyone entitled does the
 * work, then done), a milestone or a reminder. Its email state makes this table the outbox of the
 * emails it causes.
 */
@Entity('notifications')
@Index('notifications_open_task_idx', ['cycleId', 'taskKey'], { where: `"state" = 'open' AND "task_key" IS NOT NULL` })
@Index('notifications_email_pending_idx', ['createdAt'], { where: `"email_status" IN ('pending', 'digest')` })
// The mail pass's order (news of an account first, then oldest first) over what waits to be routed:
// an expression index of migration EmailQueueOrder1764560000000, which TypeORM cannot describe.
@Index('notifications_email_queue_idx', { synchronize: false })
@Check('notifications_state_check', `"state" IN ('open', 'done')`)
@Check('notifications_email_status_check', `"email_status" IN ('pending', 'digest', 'sent', 'skipped', 'failed')`)
@Index('notifications_user_created_idx', ['userId', 'createdAt', 'id'])
@Index('notifications_dedupe_key', ['userId', 'dedupeKey'], { unique: true })
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notifications_user_fkey' })
  user?: UserEntity;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'cycle_id', type: 'uuid', nullable: true })
  cycleId!: string | null;

  @Column({ name: 'milestone_id', type: 'uuid', nullable: true })
  milestoneId!: string | null;

  @Column({ type: 'text' })
  text!: string;

  /** The page where the work is done, from the web app's root (`/cycles/:id`). */
  @Column({ type: 'text', nullable: true })
  link!: string | null;

  /** For a task: which work (cycle.tasks.ts), so that the work done closes it for everyone told. */
  @Column({ name: 'task_key', type: 'text', nullable: true })
  taskKey!: string | null;

  @Column({ type: 'text', default: 'open' })
  state!: NotificationState;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;

  /** pending: to be emailed now; digest: in the next daily digest; then sent, skipped (email off or unset) or failed. */
  @Column({ name: 'email_status', type: 'text', default: 'pending' })
  emailStatus!: EmailStatus;

  /** Makes creation idempotent: a job delivered twice finds its notification already there. */
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}

/** The delivery log: each try to email a notification (alone or in a digest), and what the relay said. */
@Entity('notification_deliveries')
@Index('notification_deliveries_notification_idx', ['notificationId', 'at'])
@Check('notification_deliveries_channel_check', `"channel" IN ('email', 'digest')`)
@Check('notification_deliveries_status_check', `"status" IN ('sent', 'refused', 'failed', 'skipped')`)
export class NotificationDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'notification_deliveries_notification_fkey' })
  notification?: NotificationEntity;

  @Column({ type: 'text' })
  channel!: 'email' | 'digest';

  @Column({ type: 'text' })
  status!: 'sent' | 'refused' | 'failed' | 'skipped';

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;
}
