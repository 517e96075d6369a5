import { AddressRefused, checkedAddress, pinnedLookup, urlProblem } from './address-guard';

describe('the webhook address guard (SSRF)', () => {
  it('refuses URLs that are not plain http(s) addresses', () => {
    expect(urlProblem('https://partner.example.org/hooks', true)).toBeUndefined();
    expect(urlProblem('ftp://partner.example.org/', true)).toBe('must be an https:// (or http://) URL');
    expect(urlProblem('https://user:pw@partner.example.org/', false)).toMatch(/user name or password/);
    expect(urlProblem('not a url', false)).toMatch(/absolute URL/);
  });

  it('takes only https on port 443 (or 80) unless private addresses are allowed', () => {
    for (const ok of ['https://partner.example.org/hooks', 'https://partner.example.org:443/hooks', 'https://partner.example.org:80/hooks']) expect(urlProblem(ok, false)).toBeUndefined();
    expect(urlProblem('http://partner.example.org/hooks', false)).toBe('must be an https:// URL');
    expect(urlProblem('ftp://partner.example.org/', false)).toBe('must be an https:// URL');
    expect(urlProblem('https://partner.example.org:8443/hooks', false)).toBe('must use port 443 (or 80)');
    expect(urlProblem('https://partner.example.org:6379/', false)).toBe('must use port 443 (or 80)');
    expect(urlProblem('http://127.0.0.1:8080/hooks', true)).toBeUndefined();
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '[::1]', 'localhost'])(
    'refuses %s (private, loopback, link-local and their IPv6 forms)',
    async (host) => {
      await expect(checkedAddress(host, false)).rejects.toBeInstanceOf(AddressRefused);
    },
  );

  it('answers the checked address in both forms Node asks for (one, or all: Node 20 tries several by default)', () => {
    const lookup = pinnedLookup('93.184.215.14', 4);
    const one = jest.fn();
    const all = jest.fn();
    lookup('partner.example.org', {}, one);
    lookup('partner.example.org', { all: true }, all);
    expect(one).toHaveBeenCalledWith(null, '93.184.215.14', 4);
    expect(all).toHaveBeenCalledWith(null, [{ address: '93.184.215.14', family: 4 }]);
  });

  it.each(['100.64.0.1', 'fec0::1', '2001:2::1', '198.18.0.1'])('refuses %s (any range but global unicast)', async (host) => {
    await expect(checkedAddress(host, false)).rejects.toBeInstanceOf(AddressRefused);
  });

  it('accepts public addresses, and private ones only when allowed', async () => {
    await expect(checkedAddress('93.184.215.14', false)).resolves.toEqual({ address: '93.184.215.14', family: 4 });
    await expect(checkedAddress('2001:4860:4860::8888', false)).resolves.toEqual({ address: '2001:4860:4860::8888', family: 6 });
    await expect(checkedAddress('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });
});
