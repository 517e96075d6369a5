/** The webhooks feature's public face: its entities, service, module, address checks and requests. */
export * from './webhook.entity';
export * from './webhooks.service';
export * from './webhooks.module';
export * from './address-guard';
export * from './webhook-access';
export * from './webhooks.requests';
export * from './webhooks.subject-access';
