export * from './cycle.types';
export * from './cycle.catalogue';
export * from './event-definition';
export * from './cycle.rules';
export * from './cycle.engine';
export { STATE_META } from './cycle.machine';
export * from './event-input';
export * from './cycle.people';
export * from './cycle.tasks';
