export * from './errors';
export * from './cycle';
