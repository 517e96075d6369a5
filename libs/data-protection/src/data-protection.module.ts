/** The data-protection feature: retention of records, subject-access exports, erasure and redaction (UK GDPR). */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema } from 'typeorm';

/** The tables this feature owns, registered with the data source by its module. */
export const DATA_PROTECTION_ENTITIES: (abstract new () => object)[] | EntitySchema[] = [];

@Module({
  imports: [TypeOrmModule.forFeature(DATA_PROTECTION_ENTITIES)],
  providers: [],
  exports: [],
})
export class DataProtectionModule {}
