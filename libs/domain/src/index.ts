export * from './errors';
export * from './cycle';
export * from './calendar/working-days';
