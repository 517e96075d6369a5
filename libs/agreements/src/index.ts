export * from './agreement.entity';
export * from './agreements.service';
export * from './agreements.module';
