export * from './ocds.mapping';
export * from './ocds.service';
export * from './open-data.service';
export * from './open-data.module';
