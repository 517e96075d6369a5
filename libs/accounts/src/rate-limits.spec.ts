import { RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimited } from '@app/domain';
import { addressKey, refusedWith } from './rate-limits';

describe('addressKey', () => {
  it('keeps an IPv4 address, and counts one written as IPv6 as IPv4', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps what is not an address as it is', () => {
    expect(addressKey('')).toBe('');
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('refusedWith', () => {
  it('turns a refusal into RateLimited with the wait in whole seconds, and passes other errors on', () => {
    const refused = refusedWith((wait) => `Wait ${wait}.`);
    const res = new RateLimiterRes(0, 1200, 5, false);
    expect(() => refused(res)).toThrow(new RateLimited(2, 'Wait 2 seconds.'));
    expect(() => refused(new RateLimiterRes(0, 10, 5, false))).toThrow('Wait 1 second.');
    const down = new Error('Redis is down');
    expect(() => refused(down)).toThrow(down);
  });
});
