/** The milestones feature: its tables, repository and services, for the apps and the worker to import. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CyclesModule } from '@app/cycles';
import { NotificationsModule } from '@app/notifications';
import { OutboxModule } from '@app/outbox';
import { IncidentEntity, MilestoneEntity } from './milestone.entity';
import { PartnershipsModule } from '@app/partnerships';
import { MilestoneJobsService } from './milestone-jobs.service';
import { MilestonesRepository } from './milestones.repository';
import { MilestonesService } from './milestones.service';
import { ActionRemindersService } from './action-reminders.service';
import { MilestonesSubjectAccess } from './milestones.subject-access';
import { AccountsModule } from '@app/accounts';

/** The tables this feature owns, registered with the data source by its module. */
export const MILESTONES_ENTITIES = [MilestoneEntity, IncidentEntity];

@Module({
  imports: [AccountsModule, CyclesModule, PartnershipsModule, NotificationsModule, OutboxModule, TypeOrmModule.forFeature(MILESTONES_ENTITIES)],
  providers: [MilestonesRepository, MilestonesSubjectAccess, MilestonesService, MilestoneJobsService, ActionRemindersService],
  exports: [MilestonesSubjectAccess, MilestonesService, MilestoneJobsService, ActionRemindersService],
})
export class MilestonesModule {}
