/** The data-protection feature: retention of records, subject-access exports, erasure and redaction (UK GDPR). */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema } from 'typeorm';
import { AccountsModule } from '@app/accounts';
import { RetentionRuleEntity } from './retention-rule.entity';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** The tables this feature owns, registered with the data source by its module. */
export const DATA_PROTECTION_ENTITIES: (abstract new () => object)[] | EntitySchema[] = [RetentionRuleEntity];

@Module({
  imports: [AccountsModule, TypeOrmModule.forFeature(DATA_PROTECTION_ENTITIES)],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class DataProtectionModule {}
