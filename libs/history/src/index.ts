/** The history library's public face: hash chaining and the chained histories built on it. */
export * from './chain';
export * from './seals';
export * from './redaction-request';
export * from './chained-entry.columns';
export * from './chained-history';
export * from './history-export';
export * from './history-export-file';
export * from './entries-by-actor';
