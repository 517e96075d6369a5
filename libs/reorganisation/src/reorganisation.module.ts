/** The reorganisation feature: organisations' successions, scheduled, cancelled and carried out. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema } from 'typeorm';
import { AccountsModule } from '@app/accounts';
import { AgreementsModule } from '@app/agreements';
import { CyclesModule } from '@app/cycles';
import { OutboxModule } from '@app/outbox';
import { PartnershipHistoryRepository, PartnershipsModule } from '@app/partnerships';
import { SuccessionEntity } from './succession.entity';
import { ReorganisationService } from './reorganisation.service';
import { ReorganisationJobsService } from './reorganisation-jobs.service';
import { SuccessionNotices } from './succession-notices';

/** The tables this feature owns, registered with the data source by its module. */
export const REORGANISATION_ENTITIES: (abstract new () => object)[] | EntitySchema[] = [SuccessionEntity];

@Module({
  imports: [TypeOrmModule.forFeature(REORGANISATION_ENTITIES), AccountsModule, CyclesModule, PartnershipsModule, AgreementsModule, OutboxModule],
  // The partnership's chained history, which the succession's entry joins (in the job's transaction).
  providers: [ReorganisationService, ReorganisationJobsService, SuccessionNotices, PartnershipHistoryRepository],
  exports: [ReorganisationService, ReorganisationJobsService],
})
export class ReorganisationModule {}
