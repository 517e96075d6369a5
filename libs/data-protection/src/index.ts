/** The data-protection feature's public face: its module and services. */
export * from './data-protection.module';
export * from './subject-access.service';
export * from './subject-access.coverage';
