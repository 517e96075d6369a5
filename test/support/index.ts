export * from './test-app';
export * from './factories';
export * from './test-worker';
export * from './test-relay';
export * from './test-receiver';
export * from './webhook-bed';
export * from './owner';
export * from './free-port';
