/** The conversation feature's public face: its module, services and requests. */
export * from './conversation.module';
export * from './comment.entity';
export * from './comments.service';
export * from './comments.requests';
export * from './conversation.subject-access';
