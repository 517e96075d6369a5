import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { PartnershipsModule } from '@app/partnerships';
import { CycleCreationService } from './cycle-creation.service';
import { CycleEventsService } from './cycle-events.service';
import { CycleQueriesService } from './cycle-queries.service';
import { CyclesRepository } from './cycles.repository';

/** Cycles, split by job: reading them, opening them, and the one write path of their events. */
@Module({
  imports: [AccountsModule, PartnershipsModule],
  providers: [CyclesRepository, CycleQueriesService, CycleCreationService, CycleEventsService],
  exports: [CycleQueriesService, CycleCreationService, CycleEventsService],
})
export class CyclesModule {}
