/** Wrong passwords counted in Redis per account and address and per address, so guesses are refused past a few and the owner is told. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { addressKey } from './rate-limits';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RateLimited, normaliseEmail } from '@app/domain';
import { REDIS } from '@app/queue';

/** Where a password was checked: signing in, or changing it (the current password). */
export type PasswordCheck = 'login' | 'password-change';

/** One attempt taken: whose, and whether a failure now uses up the account's allowance from this address. */
export interface LoginAttempt {
  email: string;
  last: boolean;
}

/** Told when an account's failures from one address reach the limit (the owner is told by email). */
export type LockoutListener = (email: string, check: PasswordCheck) => Promise<void>;

/**
 * Password checks (logins, and the current password of a password change) are counted per
 * account *and* address (a few tries: someone guessing elsewhere cannot lock the owner out) and
 * per address (many tries, so that an office of many people behind one address is not locked out
 * by a handful of typos). Built on rate-limiter-flexible's Redis limiter.
 *
 * An attempt takes its point before the password is checked (one atomic increment in Redis),
 * so a burst of parallel guesses cannot all pass a check made before any of them failed: at most
 * the limit's number of passwords are ever checked per window. A success clears the account's
 * count and gives the address its point back, so that only failures count against either. The
 * account is keyed on the normalised email, the one spelling the lookup uses too.
 */
@Injectable()
export class LoginLimiter {
  private readonly logger = new Logger(LoginLimiter.name);
  private readonly perAccount: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;
  private readonly listeners: LockoutListener[] = [];

  constructor(@Inject(REDIS) redis: IORedis, @Inject(APP_CONFIG) config: AppConfig) {
    const common = { storeClient: redis, duration: config.login.windowSeconds };
    this.perAccount = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.redis.prefix}:login-fail:account-address`,
      points: config.login.maxFailuresPerAccount,
    });
    this.perAddress = new RateLimiterRedis({
      ...common,
      keyPrefix: `${config.redis.prefix}:login-fail:address`,
      points: config.login.maxFailuresPerAddress,
    });
  }

  /** Someone to tell when an account is locked out from an address (the notifications tell its owner). */
  onLockout(listener: LockoutListener): void {
    this.listeners.push(listener);
  }

  /**
   * Takes one attempt from the account's allowance at this address, then from the address's;
   * throws RateLimited when either is used up (an attempt the address refuses is given back to
   * the account). Call it before checking the password; then `succeeded` after a right one, or
   * `failed` after a wrong one.
   */
  async attempt(email: string, address: string): Promise<LoginAttempt> {
    const account = normaliseEmail(email);
    const key = this.accountKey(account, address);
    const taken = await this.perAccount.consume(key).catch(refused);
    await this.perAddress.consume(addressKey(address)).catch(async (error: unknown) => {
      await this.perAccount.reward(key, 1);
      return refused(error);
    });
    return { email: account, last: taken.remainingPoints === 0 };
  }

  /** The password was wrong: when that used up the account's allowance here, its owner is told (once a window). */
  async failed(attempt: LoginAttempt, check: PasswordCheck): Promise<void> {
    if (!attempt.last) return;
    for (const listener of this.listeners) {
      await listener(attempt.email, check).catch((error: Error) => this.logger.warn(`Telling the owner of a locked account failed: ${error.message}`));
    }
  }

  /** The password was right: the account starts afresh here and the address has its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await Promise.all([this.perAccount.delete(this.accountKey(normaliseEmail(email), address)), this.perAddress.reward(addressKey(address), 1)]);
  }

  private accountKey(account: string, address: string): string {
    return `${account}|${addressKey(address)}`;
  }
}

/** rate-limiter-flexible rejects with a RateLimiterRes when the points are used up (and with an Error when Redis fails). */
function refused(error: unknown): never {
  if (!(error instanceof RateLimiterRes)) throw error;
  const wait = Math.max(Math.ceil(error.msBeforeNext / 1000), 1);
  throw new RateLimited(wait, `Too many wrong passwords. Try again in ${wait} seconds.`);
}
