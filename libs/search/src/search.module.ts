/** The search feature: one index (search_documents, kept by the database's triggers) and its visibility-bound query. It owns no entity: the table is the migration's. */
import { Module } from '@nestjs/common';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';

@Module({
  providers: [SearchRepository, SearchService],
  exports: [SearchService],
})
export class SearchModule {}
