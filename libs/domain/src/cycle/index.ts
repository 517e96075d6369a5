/** The cycle's public face: its types, event catalogue, rules, engine, and what it reads of people, tasks, funding, texts and the audit. */
export * from './cycle.types';
export * from './cycle.catalogue';
export * from './event-definition';
export * from './cycle.rules';
export * from './cycle.engine';
export { STATE_META } from './cycle.machine';
export * from './event-input';
export * from './cycle.people';
export * from './cycle.tasks';
export * from './cycle.funding';
export * from './cycle.texts';
export * from './cycle.audit';
export * from './cycle.erasure';
