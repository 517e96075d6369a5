import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RateLimited, normaliseEmail } from '@app/domain';
import { REDIS } from '@app/queue';

/**
 * Login attempts are counted per account (a few tries) and per address (many tries, so that an
 * office of many people behind one address is not locked out by a handful of typos). Built on
 * rate-limiter-flexible's Redis limiter.
 *
 * An attempt takes its point before the password is checked (one atomic increment in Redis),
 * so a burst of parallel guesses cannot all pass a check made before any of them failed: at most
 * the limit's number of passwords are ever checked per window. A success clears the account's
 * count and gives the address its point back, so that only failures count against either. The
 * account is keyed on the normalised email, the one spelling the lookup uses too.
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

  /**
   * Takes one attempt from the account's allowance, then from the address's; throws RateLimited
   * when either is used up (an attempt the address refuses is given back to the account).
   * Call it before checking the password, and `succeeded` after a right one.
   */
  async attempt(email: string, address: string): Promise<void> {
    const account = normaliseEmail(email);
    await this.perAccount.consume(account).catch(refused);
    await this.perAddress.consume(address).catch(async (error: unknown) => {
      await this.perAccount.reward(account, 1);
      return refused(error);
    });
  }

  /** The password was right: the account starts afresh and the address has its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await Promise.all([this.perAccount.delete(normaliseEmail(email)), this.perAddress.reward(address, 1)]);
  }
}

/** rate-limiter-flexible rejects with a RateLimiterRes when the points are used up (and with an Error when Redis fails). */
function refused(error: unknown): never {
  if (!(error instanceof RateLimiterRes)) throw error;
  const wait = Math.max(Math.ceil(error.msBeforeNext / 1000), 1);
  throw new RateLimited(wait, `Too many failed logins. Try again in ${wait} seconds.`);
}
