/** The outbox feature's public face: its entity, service and module. */
export * from './outbox.entity';
export * from './outbox.service';
export * from './outbox.module';
