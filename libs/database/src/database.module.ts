/** The one data source and the transactional context, as a global Nest module. */
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source-options';
import { Transactions } from './transactions';
import { DatabasePoolMetrics } from './pool-metrics';

/**
 * nestjs-cls registers a global guard and a global interceptor even when neither is mounted, and
 * then they do nothing (we mount none: a transaction opens its own context). Nest would still run
 * every request through an RxJS interceptor chain for them: they are left out.
 */
function withoutIdleEnhancers(module: DynamicModule): DynamicModule {
  const idle = (p: Provider) => typeof p === 'object' && 'provide' in p && (p.provide === APP_GUARD || p.provide === APP_INTERCEPTOR);
  return {
    ...module,
    imports: module.imports?.map((m) => (typeof m === 'object' && 'providers' in m && m.providers ? { ...m, providers: m.providers.filter((p) => !idle(p)) } : m)),
  };
}

/** The one data source (each feature registers its own entities) and the transactional context. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url, config.database.poolSize),
        migrationsRun: false,
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    withoutIdleEnhancers(
      ClsModule.forRoot({
        plugins: [new ClsPluginTransactional({ adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }) })],
      }),
    ),
  ],
  providers: [Transactions, DatabasePoolMetrics],
  exports: [Transactions],
})
export class DatabaseModule {}
