export * from './agreement.entity';
export * from './agreements.service';
export * from './agreements.module';
export * from './agreement-reviews.service';
export * from './agreements.requests';
