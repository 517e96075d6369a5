export * from './partnership.entity';
export * from './partnerships.repository';
export * from './partnerships.service';
export * from './partnerships.module';
export * from './partnership-history.repository';
export * from './partnerships.requests';
