/** Anonymous reads per address and expensive reads per person, limited per minute and counted in Redis. */
import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS } from '@app/queue';
import { READ_METHODS, addressKey, refusedWith } from './rate-limits';

/**
 * Reads, counted in Redis a minute at a time so every API and web process shares the count:
 *
 * - `anonymous`: the reads of the routes anyone may call (the public partnership page, the
 *   calendar feed, the sign-in page), per address (`ANONYMOUS_READS_PER_MINUTE`), an IPv6 address
 *   by its /64; before anything is looked up.
 * - `expensive`: each person's reads that cost far more than a page (the exports, the history's
 *   verification, the web cycle page), per person (`EXPENSIVE_READS_PER_MINUTE`).
 *
 * A key over its allowance is remembered in this process's memory for the rest of its minute, so a
 * flood stops reaching Redis.
 */
@Injectable()
export class ReadLimiter {
  private readonly perAddress: RateLimiterRedis;
  private readonly perPerson: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: IORedis, @Inject(APP_CONFIG) config: AppConfig) {
    const { anonymousPerMinute, expensivePerMinute } = config.reads;
    const common = { storeClient: redis, duration: 60 };
    this.perAddress = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:reads-address`, points: anonymousPerMinute, inMemoryBlockOnConsumed: anonymousPerMinute + 1 });
    this.perPerson = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:reads-expensive`, points: expensivePerMinute, inMemoryBlockOnConsumed: expensivePerMinute + 1 });
  }

  /** Counts a read of a route anyone may call from this address; throws RateLimited (429 with Retry-After) when over. Other methods are not counted. */
  async anonymous(address: string, method: string): Promise<void> {
    if (!READ_METHODS.has(method.toUpperCase())) return;
    await this.perAddress.consume(addressKey(address)).catch(refusedWith((wait) => `Too many requests from your network. Try again in ${wait}.`));
  }

  /** Counts one of this person's expensive reads; throws RateLimited (429 with Retry-After) when over. */
  async expensive(userId: string): Promise<void> {
    await this.perPerson.consume(userId).catch(refusedWith((wait) => `Too many downloads and checks from your account. Try again in ${wait}.`));
  }
}
