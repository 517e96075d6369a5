/** The webhooks feature's tables: partner systems' subscriptions to a partnership's events and their deliveries. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { PartnershipEntity } from '@app/partnerships/partnership.entity';
import type { DisabledReason } from './webhook-access';

/** A partner system's subscription to a partnership's events, signed with its own secret (Standard Webhooks). */
@Entity('webhooks')
@Index('webhooks_partnership_idx', ['partnershipId'])
@Index('webhooks_partnership_url_key', ['partnershipId', 'url'], { unique: true, where: '"active"' })
@Index('webhooks_created_by_idx', ['createdByUserId'])
@Index('webhooks_organisation_idx', ['organisationId'])
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'webhooks_partnership_fkey' })
  partnership?: PartnershipEntity;

  /** The commissioner member organisation it speaks for: its maker's (webhook-access.ts). */
  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'webhooks_organisation_fkey' })
  organisation?: OrganisationEntity;

  @Column({ type: 'text' })
  url!: string;

  /** Event types it wants, or ["*"] for all. */
  @Column({ type: 'jsonb' })
  events!: string[];

  /** `whsec_` and the base64 of the signing key's bytes; shown once, when it is made. */
  @Column({ type: 'text', select: false })
  secret!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Failed tries in a row; at 20 it is switched off and the commissioners told. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /** Why it is off: too many failures, or the access it was made with ended (set by the database's triggers). */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: DisabledReason | null;

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one webhook: written with the event (the outbox), then delivered with retries; the delivery log. */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_webhook_idx', ['webhookId', 'at'])
@Index('webhook_deliveries_pending_idx', ['at'], { where: `"status" = 'pending'` })
@Index('webhook_deliveries_event_key', ['webhookId', 'cycleId', 'seq'], { unique: true })
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'delivered', 'failed')`)
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'webhook_deliveries_webhook_fkey' })
  webhook?: WebhookEntity;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  /** What is posted: `{ type, cycleId, partnershipId, seq, at, payload }`. */
  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
