/** What the rate limiters share: refusals as 429 with Retry-After, and the key an address is counted under. */
import ipaddr from 'ipaddr.js';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimited } from '@app/domain';

/** Methods that change nothing. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a refusal of rate-limiter-flexible (a RateLimiterRes; an Error when Redis fails, passed on)
 * becomes: RateLimited, a 429 with Retry-After, whose message says how long to wait.
 */
export function refusedWith(message: (seconds: string) => string): (error: unknown) => never {
  return (error: unknown) => {
    if (!(error instanceof RateLimiterRes)) throw error;
    const wait = Math.max(Math.ceil(error.msBeforeNext / 1000), 1);
    throw new RateLimited(wait, message(`${wait} second${wait === 1 ? '' : 's'}`));
  };
}

/**
 * The key an address is counted under: an IPv4 address as it is (an IPv4 address written as IPv6,
 * `::ffff:192.0.2.1`, as IPv4), an IPv6 address by its /64, the smallest network one household or
 * office is given, so that one client cannot take a fresh allowance with each of its 2^64 addresses.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
