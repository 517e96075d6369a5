// The open-data module: what the product publishes of cycles and partnerships, read through the features' services.
import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { CyclesModule } from '@app/cycles';
import { PartnershipsModule } from '@app/partnerships';
import { OcdsService } from './ocds.service';
import { OpenDataService } from './open-data.service';

/**
 * Open data: what the product publishes about cycles (OCDS) and partnerships (CSV downloads, outcome
 * series, the public page). It owns no table: it reads through the features' services.
 */
@Module({
  imports: [AccountsModule, PartnershipsModule, CyclesModule],
  providers: [OcdsService, OpenDataService],
  exports: [OcdsService, OpenDataService],
})
export class OpenDataModule {}
