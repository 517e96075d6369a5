/** The history library's public face: hash chaining and the chained histories built on it. */
export * from './chain';
export * from './chained-entry.columns';
export * from './chained-history';
export * from './entries-by-actor';
