/** The evidence feature's public face: its module, services, stores and requests. */
export * from './evidence.module';
export * from './attachment.entity';
export * from './attachment-inspection';
export * from './attachment-store';
export * from './attachments.service';
export * from './attachments.requests';
export * from './evidence.subject-access';
export * from './evidence.erasure';
