/** The agreements feature's public face: its entities, services, module and requests. */
export * from './agreement.entity';
export * from './agreements.service';
export * from './agreements.module';
export * from './agreement-reviews.service';
export * from './agreements.requests';
export * from './agreements.subject-access';
export * from './agreement-releases.service';
