export * from './cycle.entity';
export * from './cycles.repository';
export * from './cycles.service';
export * from './cycles.module';
export * from './history-chain';
