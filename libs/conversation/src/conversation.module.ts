/** The conversation feature: comments on a cycle's revisions, options, proposals and objections, with mentions that notify. */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { CyclesModule } from '@app/cycles';
import { NotificationsModule } from '@app/notifications';
import { CommentEntity } from './comment.entity';
import { CommentsService } from './comments.service';
import { ConversationSubjectAccess } from './conversation.subject-access';

/** The tables this feature owns, registered with the data source by its module. */
export const CONVERSATION_ENTITIES = [CommentEntity];

@Module({
  imports: [AccountsModule, CyclesModule, NotificationsModule, TypeOrmModule.forFeature(CONVERSATION_ENTITIES)],
  providers: [CommentsService, ConversationSubjectAccess],
  exports: [CommentsService, ConversationSubjectAccess],
})
export class ConversationModule {}
