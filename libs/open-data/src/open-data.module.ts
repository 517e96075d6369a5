import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { CyclesModule } from '@app/cycles';
import { PartnershipsModule } from '@app/partnerships';
import { OcdsService } from './ocds.service';
import { OpenDataService } from './open-data.service';

/** Open data: what the product publishes about cycles (OCDS). It owns no table: it reads through the features' services. */
@Module({
  imports: [AccountsModule, PartnershipsModule, CyclesModule],
  providers: [OcdsService, OpenDataService],
  exports: [OcdsService, OpenDataService],
})
export class OpenDataModule {}
