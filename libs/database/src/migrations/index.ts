import { Foundation1763900000000 } from './1763900000000-foundation';

/** Every migration in order. A new one is added here as well as in this folder. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Foundation1763900000000];
