/** Each person's writes limited per second with a burst allowance, counted in Redis across processes. */
import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { BurstyRateLimiter, RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS } from '@app/queue';
import { READ_METHODS, refusedWith } from './rate-limits';

/**
 * Each person's writes, counted in Redis so every API and web process shares the count: so many a
 * second (`WRITE_RATE_PER_SECOND`), and a burst allowance on top (up to `WRITE_BURST` in a moment,
 * refilled over burst ÷ rate seconds), so one account (a script gone wrong, a stolen token) cannot
 * starve everyone else's writes. Generous for people: a person clicks far slower than this.
 * rate-limiter-flexible's BurstyRateLimiter: the steady limiter first, then the burst one; a
 * person refused by both waits for the steady window (Retry-After). A person over both allowances
 * is remembered in this process's memory for the rest of the window, so a flood from one account
 * stops reaching Redis.
 */
@Injectable()
export class WriteLimiter {
  private readonly limiter: BurstyRateLimiter;

  constructor(@Inject(REDIS) redis: IORedis, @Inject(APP_CONFIG) config: AppConfig) {
    const { perSecond, burst } = config.writes;
    const extra = Math.max(burst - perSecond, 1);
    this.limiter = new BurstyRateLimiter(
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.redis.prefix}:writes`, points: perSecond, duration: 1, inMemoryBlockOnConsumed: perSecond + 1, inMemoryBlockDuration: 1 }),
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redis.prefix}:writes-burst`,
        points: extra,
        duration: Math.max(Math.ceil(extra / perSecond), 1),
        inMemoryBlockOnConsumed: extra + 1,
        inMemoryBlockDuration: Math.max(Math.ceil(extra / perSecond), 1),
      }),
    );
  }

  /** Counts a request of this person's; throws RateLimited (429 with Retry-After) when over the limit. */
  async take(userId: string, method: string): Promise<void> {
    // Methods that change nothing are never counted.
    if (READ_METHODS.has(method.toUpperCase())) return;
    await this.limiter.consume(userId).catch(refusedWith((wait) => `Too many changes at once from your account. Try again in ${wait}.`));
  }
}
