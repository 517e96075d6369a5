/** The reorganisation feature's public face: its module, services and entity. */
export * from './reorganisation.module';
export * from './reorganisation.service';
export * from './reorganisation-jobs.service';
export * from './succession.entity';
export * from './succession-notices';
