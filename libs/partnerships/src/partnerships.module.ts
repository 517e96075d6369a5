import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { PartnershipsRepository } from './partnerships.repository';
import { PartnershipsService } from './partnerships.service';

@Module({
  imports: [AccountsModule],
  providers: [PartnershipsRepository, PartnershipsService],
  exports: [PartnershipsService],
})
export class PartnershipsModule {}
