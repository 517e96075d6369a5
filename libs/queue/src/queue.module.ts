/** BullMQ's setup and a plain Redis client for the rest, as a global Nest module. */
import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig, ConfigError } from '@app/config';
import { bullConnection, createRedis, evictionPolicyWarning, sentinelProblem } from './redis';

/** A plain Redis client for health checks, rate limits and housekeeping (not for BullMQ). */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: bullConnection(config.redis),
        prefix: config.redis.prefix,
        defaultJobOptions: {
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      }),
    }),
  ],
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedis(config.redis, 'client'),
    },
  ],
  exports: [REDIS, BullModule],
})
export class QueueModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // A sentinel name no sentinel knows stops the process here, naming the variable (exit 78).
    const problem = await sentinelProblem(this.config.redis);
    if (problem) {
      this.redis.disconnect();
      throw new ConfigError([problem]);
    }
    try {
      const warning = await evictionPolicyWarning(this.redis);
      if (warning) this.logger.warn(`!!! ${warning} !!!`);
    } catch (error) {
      this.logger.warn(`Could not read Redis maxmemory-policy: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
