export * from './redis';
export * from './queue.module';
export * from './jobs';
