export * from './errors';
export * from './cycle';
export * from './clock';
export * from './calendar/working-days';
