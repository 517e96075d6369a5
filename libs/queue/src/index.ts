/** The queue library's public face: Redis connections, the BullMQ module and the jobs' names and payloads. */
export * from './redis';
export * from './queue.module';
export * from './jobs';
