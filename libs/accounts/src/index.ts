export * from './organisation.entity';
export * from './user.entity';
export * from './principal';
export * from './accounts.service';
export * from './token.service';
export * from './login-limiter';
export * from './accounts.module';
