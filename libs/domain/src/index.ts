export * from './errors';
export * from './error-status';
export * from './cycle';
export * from './clock';
export * from './email';
export * from './calendar/working-days';
export * from './money';
export * from './agreement/agreement.machine';
