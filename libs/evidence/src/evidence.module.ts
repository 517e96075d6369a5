/** The evidence feature: files attached to a cycle's revisions, options, progress reports and learning review, their sha256 chained in its history. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { CyclesModule } from '@app/cycles';
import { AttachmentChunkEntity, AttachmentEntity } from './attachment.entity';
import { AttachmentStores, PostgresAttachmentStore } from './attachment-store';
import { AttachmentsService } from './attachments.service';
import { EvidenceErasure } from './evidence.erasure';
import { EvidenceSubjectAccess } from './evidence.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const EVIDENCE_ENTITIES = [AttachmentEntity, AttachmentChunkEntity];

@Module({
  imports: [AccountsModule, CyclesModule, TypeOrmModule.forFeature(EVIDENCE_ENTITIES)],
  providers: [PostgresAttachmentStore, AttachmentStores, AttachmentsService, EvidenceSubjectAccess, EvidenceErasure],
  exports: [AttachmentsService, AttachmentStores, EvidenceSubjectAccess, EvidenceErasure],
})
export class EvidenceModule {}
