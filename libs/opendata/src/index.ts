export * from './ocds.mapping';
export * from './ocds.service';
export * from './opendata.module';
