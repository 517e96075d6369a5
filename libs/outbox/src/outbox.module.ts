/** The outbox feature: its table, repository and service, for the features that queue jobs. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

/** The tables this feature owns, registered with the data source by its module. */
export const OUTBOX_ENTITIES = [OutboxEntity];

@Module({
  imports: [TypeOrmModule.forFeature(OUTBOX_ENTITIES)],
  providers: [OutboxRepository, OutboxService],
  exports: [OutboxService],
})
export class OutboxModule {}
