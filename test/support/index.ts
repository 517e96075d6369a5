export * from './test-app';
export * from './factories';
export * from './test-worker';
