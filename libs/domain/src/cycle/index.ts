export * from './cycle.types';
export * from './cycle.rules';
export * from './cycle.engine';
