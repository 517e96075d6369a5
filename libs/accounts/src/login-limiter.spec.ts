import { addressKey } from './login-limiter';

describe('addressKey', () => {
  it('counts an IPv6 address by its /64, an IPv4 address itself, an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:31:64::1')).toBe('2001:db8:31:64::/64');
    expect(addressKey('2001:0db8:0031:0064:ffff:ffff:ffff:ffff')).toBe('2001:db8:31:64::/64');
    expect(addressKey('2001:db8:31:65::1')).toBe('2001:db8:31:65::/64');
    expect(addressKey('::ffff:10.31.0.1')).toBe('10.31.0.1');
    expect(addressKey('10.31.0.1')).toBe('10.31.0.1');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps what is not an address as it is (it still counts, on its own)', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});
