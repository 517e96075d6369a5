/** The HTTP library's public face: validation, logging, hardening and response helpers shared by both apps. */
export * from './events.dto';
export * from './logging';
export * from './validation';
export * from './validators';
export * from './id.pipe';
export * from './harden';
export * from './stream-json';
export * from './csv';
export * from './conditional';
export * from './read-limits';
export * from './well-formed';
export * from './readiness';
export * from './metrics';
