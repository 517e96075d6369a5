export * from './events.dto';
export * from './logging';
export * from './validation';
export * from './validators';
export * from './id.pipe';
export * from './harden';
export * from './stream-json';
export * from './csv';
