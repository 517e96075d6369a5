/** The single sign-on tables: organisations' OpenID Connect providers, the domains they vouch for and people's identities. */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OrganisationEntity } from '../organisation.entity';
import { UserEntity } from '../user.entity';

/** An organisation's OpenID Connect provider (one each). The client secret is kept encrypted (SecretBox). */
@Entity('identity_providers')
export class IdentityProviderEntity {
  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @OneToOne(() => OrganisationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'identity_providers_organisation_fkey' })
  organisation?: OrganisationEntity;

  @Column({ type: 'text' })
  issuer!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  /** `v1.<iv>.<tag>.<ciphertext>`, AES-256-GCM bound to the organisation's id; never returned. */
  @Column({ name: 'client_secret_encrypted', type: 'text', select: false })
  clientSecretEncrypted!: string;

  /** false: the organisation's people sign in only through the provider. */
  @Column({ name: 'passwords_allowed', type: 'boolean', default: true })
  passwordsAllowed!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** An email domain a provider vouches for: one organisation's at most (the primary key). */
@Entity('identity_provider_domains')
@Index('identity_provider_domains_organisation_idx', ['organisationId'])
export class IdentityProviderDomainEntity {
  @PrimaryColumn({ type: 'text' })
  domain!: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => IdentityProviderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', referencedColumnName: 'organisationId', foreignKeyConstraintName: 'identity_provider_domains_provider_fkey' })
  provider?: IdentityProviderEntity;
}

/** Who a provider's subject is here: found by (issuer, subject), never by email alone. */
@Entity('user_identities')
@Index('user_identities_user_idx', ['userId'])
export class UserIdentityEntity {
  @PrimaryColumn({ type: 'text' })
  issuer!: string;

  @PrimaryColumn({ type: 'text' })
  subject!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_identities_user_fkey' })
  user?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
