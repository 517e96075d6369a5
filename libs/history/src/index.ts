export * from './chain';
export * from './chained-entry.columns';
export * from './chained-history';
