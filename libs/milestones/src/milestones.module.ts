import { Module } from '@nestjs/common';
import { CyclesModule } from '@app/cycles';
import { PartnershipsModule } from '@app/partnerships';
import { MilestoneJobsService } from './milestone-jobs.service';
import { MilestonesRepository } from './milestones.repository';
import { MilestonesService } from './milestones.service';

@Module({
  imports: [CyclesModule, PartnershipsModule],
  providers: [MilestonesRepository, MilestonesService, MilestoneJobsService],
  exports: [MilestonesService, MilestoneJobsService],
})
export class MilestonesModule {}
