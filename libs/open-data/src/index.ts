// Open data, one feature: cycles as OCDS release packages, and the CSV downloads, outcome series and public page.
export * from './ocds.mapping';
export * from './ocds.service';
export * from './open-data.service';
export * from './open-data.module';
