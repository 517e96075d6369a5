/** The organisations' table: each organisation and its kind. */
import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

import { ORGANISATION_KINDS, OrganisationKind } from '@app/domain';

export { ORGANISATION_KINDS, type OrganisationKind };

@Entity('organisations')
@Check('organisations_kind_check', `"kind" IN ('commissioner', 'provider', 'community', 'facilitator')`)
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: OrganisationKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When a succession carried it out: it acts no more, and is shown as "Former <name> (now <successors>)". */
  @Column({ name: 'dissolved_at', type: 'timestamptz', nullable: true })
  dissolvedAt!: Date | null;

  @Column({ name: 'successor_organisation_ids', type: 'uuid', array: true, default: () => "'{}'" })
  successorOrganisationIds!: string[];
}
