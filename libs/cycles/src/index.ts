export * from './cycle.entity';
export * from './cycles.repository';
export * from './cycle-queries.service';
export * from './cycle-creation.service';
export * from './cycle-events.service';
export * from './partnership-members.service';
export * from './cycles.module';
export * from './history-chain';
export type { EventInput } from '@app/domain';
