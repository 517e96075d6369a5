/** The data-protection feature's public face: its module and services. */
export * from './data-protection.module';
