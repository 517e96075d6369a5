import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { PartnershipsModule } from '@app/partnerships';
import { CyclesRepository } from './cycles.repository';
import { CyclesService } from './cycles.service';

@Module({
  imports: [AccountsModule, PartnershipsModule],
  providers: [CyclesRepository, CyclesService],
  exports: [CyclesService],
})
export class CyclesModule {}
