import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RateLimited } from '@app/domain';
import { REDIS } from '@app/queue';

/**
 * Failed logins are counted per account (a few tries) and per address (many tries, so that an
 * office of many people behind one address is not locked out by a handful of typos). A success
 * clears the account's count. Built on rate-limiter-flexible's Redis limiter.
 */
@Injectable()
export class LoginLimiter {
  private readonly perAccount: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: IORedis, @Inject(APP_CONFIG) config: AppConfig) {
    const common = { storeClient: redis, duration: config.login.windowSeconds };
    this.perAccount = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.redis.prefix}:login-fail:account`,
      points: config.login.maxFailuresPerAccount,
    });
    this.perAddress = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.redis.prefix}:login-fail:address`,
      points: config.login.maxFailuresPerAddress,
    });
  }

  /** Throws RateLimited when the account or the address has used up its failures. */
  async check(email: string, address: string): Promise<void> {
    const [account, origin] = await Promise.all([
      this.perAccount.get(email.toLowerCase()),
      this.perAddress.get(address),
    ]);
    const blocked = [
      { res: account, limit: this.perAccount.points },
      { res: origin, limit: this.perAddress.points },
    ].filter(({ res, limit }) => res !== null && res.consumedPoints >= limit);
    if (blocked.length) {
      const wait = Math.max(...blocked.map(({ res }) => Math.ceil((res as RateLimiterRes).msBeforeNext / 1000)), 1);
      throw new RateLimited(wait, `Too many failed logins. Try again in ${wait} seconds.`);
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.perAccount.penalty(email.toLowerCase(), 1),
      this.perAddress.penalty(address, 1),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.perAccount.delete(email.toLowerCase());
  }
}
