export * from './outbox.entity';
export * from './outbox.service';
export * from './outbox.module';
