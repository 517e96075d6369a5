import { ConfigError, DEV_DEFAULTS, parseConfig } from './config.schema';

describe('parseConfig', () => {
  it('gives defaults that work on a fresh machine', () => {
    const config = parseConfig({ NODE_ENV: 'development' });
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/cocommission');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'cocommission' });
    expect(config.jwt.secret).toBe(DEV_DEFAULTS.jwtSecret);
    expect(config.admin).toEqual({ email: DEV_DEFAULTS.adminEmail, password: DEV_DEFAULTS.adminPassword, mustChange: true });
  });

  it('fails closed without NODE_ENV: a random secret per process, no default admin password, the published values refused', () => {
    const a = parseConfig({});
    const b = parseConfig({});
    expect(a.env).toBe('production');
    expect(a.jwt.secret).not.toBe(DEV_DEFAULTS.jwtSecret);
    expect(a.jwt.secret).not.toBe(b.jwt.secret);
    expect(a.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(a.jwt.generated).toBe(true);
    expect(a.admin.password).toBeNull();
    expect(parseConfig({ NODE_ENV: 'test' }).jwt).toEqual({ secret: DEV_DEFAULTS.jwtSecret, ttlSeconds: 900, generated: false });
    expect(() => parseConfig({ JWT_SECRET: DEV_DEFAULTS.jwtSecret })).toThrow(/JWT_SECRET is the development default \(NODE_ENV is unset/);
    expect(() => parseConfig({ ADMIN_PASSWORD: DEV_DEFAULTS.adminPassword })).toThrow(/ADMIN_PASSWORD is the development default/);
    expect(parseConfig({ ADMIN_PASSWORD: 'a-long-and-unique-password' }).admin).toEqual({ email: DEV_DEFAULTS.adminEmail, password: 'a-long-and-unique-password', mustChange: false });
  });

  it('makes cookies Secure in production and whenever the web app is on https', () => {
    expect(parseConfig({ NODE_ENV: 'development' }).web.secureCookies).toBe(false);
    expect(parseConfig({ NODE_ENV: 'development', PUBLIC_WEB_URL: 'https://cocommission.northshire.gov.uk' }).web.secureCookies).toBe(true);
    expect(parseConfig({ NODE_ENV: 'test', PUBLIC_WEB_URL: 'https://localhost:3001/' }).web.secureCookies).toBe(true);
    expect(parseConfig({}).web.secureCookies).toBe(true);
  });

  it('names open data with an OCDS ocid prefix, ocds-cocommission unless set', () => {
    expect(parseConfig({}).openData.ocidPrefix).toBe('ocds-cocommission');
    expect(parseConfig({ OCID_PREFIX: 'ocds-a1b2c3' }).openData.ocidPrefix).toBe('ocds-a1b2c3');
    for (const value of ['cocommission', 'ocds-', 'ocds-Upper', 'ocds-a b', 'ocds-a--b']) {
      expect(() => parseConfig({ OCID_PREFIX: value })).toThrow(/OCID_PREFIX must be "ocds-" followed by/);
    }
  });

  it('keeps cycles in one store of 128 MiB unless told its budget or off', () => {
    expect(parseConfig({}).cycleCache).toEqual({ enabled: true, bytes: 128 * 1024 * 1024 });
    expect(parseConfig({ CYCLE_CACHE: 'off', CYCLE_CACHE_BYTES: '1048576' }).cycleCache).toEqual({ enabled: false, bytes: 1048576 });
    expect(() => parseConfig({ CYCLE_CACHE: 'no' })).toThrow(/CYCLE_CACHE must be on or off/);
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '' }).port).toBe(3000);
  });

  it('names every bad variable', () => {
    expect(() => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', QUEUE_PREFIX: 'a b' })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([expect.stringContaining('PORT'), expect.stringContaining('DATABASE_URL'), expect.stringContaining('QUEUE_PREFIX')]),
      }),
    );
  });

  it('refuses to start in production without secrets', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      parseConfig({ NODE_ENV: 'production' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(expect.arrayContaining(['JWT_SECRET is required when NODE_ENV=production', 'ADMIN_PASSWORD is required when NODE_ENV=production']));
    }
  });

  it('refuses the development defaults in production even when set explicitly', () => {
    expect(() =>
      parseConfig({
        NODE_ENV: 'production',
        ADMIN_EMAIL: 'ops@council.gov.uk',
        JWT_SECRET: DEV_DEFAULTS.jwtSecret,
        ADMIN_PASSWORD: DEV_DEFAULTS.adminPassword,
      }),
    ).toThrow(/JWT_SECRET is the development default[\s\S]*ADMIN_PASSWORD is the development default/);
  });

  it('accepts a complete production configuration', () => {
    const config = parseConfig({
      NODE_ENV: 'production',
      ADMIN_EMAIL: 'Ops@Council.gov.uk',
      ADMIN_PASSWORD: 'a-long-and-unique-password',
      JWT_SECRET: 'x'.repeat(48),
    });
    expect(config.admin.email).toBe('ops@council.gov.uk');
  });

  it('moves the clock for tests and demos, never in production', () => {
    expect(parseConfig({ NODE_ENV: 'development' }).clock.offsetMs).toBe(0);
    expect(parseConfig({ CLOCK_OFFSET_MS: '-86400000' }).clock.offsetMs).toBe(-86_400_000);
    jest.useFakeTimers({ now: new Date('2027-03-31T22:59:00Z') });
    try {
      expect(parseConfig({ CLOCK_START: '2027-04-01T22:59:00Z' }).clock.offsetMs).toBe(86_400_000);
    } finally {
      jest.useRealTimers();
    }
    expect(() => parseConfig({ CLOCK_START: 'tomorrow' })).toThrow(/CLOCK_START/);
    const production = { NODE_ENV: 'production', ADMIN_EMAIL: 'ops@council.gov.uk', ADMIN_PASSWORD: 'a-long-and-unique-password', JWT_SECRET: 'x'.repeat(48) };
    expect(() => parseConfig({ ...production, CLOCK_OFFSET_MS: '5' })).toThrow(/CLOCK_OFFSET_MS moves the clock/);
    expect(() => parseConfig({ ...production, CLOCK_START: '2027-03-31T23:59:00+01:00' })).toThrow(/CLOCK_START sets the clock/);
  });

  it('trusts a number of proxies or a list of their addresses, never every proxy', () => {
    expect(parseConfig({}).http.trustProxy).toBe(0);
    expect(parseConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(0);
    expect(parseConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8,loopback' }).http.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/255.0.0.0' }).http.trustProxy).toEqual(['10.0.0.0/255.0.0.0']);
    for (const value of ['true', 'TRUE', 'yes']) {
      expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY may not be "true".*number of proxies/);
    }
    for (const value of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', '1.5', '10.0.0.1,,10.0.0.2']) {
      expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be a number of hops or a comma-separated list/);
    }
  });

  it('checks the admin email’s length before its pattern', () => {
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.uk`;
    expect(longest).toHaveLength(254);
    expect(parseConfig({ ADMIN_EMAIL: longest }).admin.email).toBe(longest);
    // One character more would still match the pattern: only the length refuses it.
    try {
      parseConfig({ ADMIN_EMAIL: `a${longest}` });
      throw new Error('accepted');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['ADMIN_EMAIL must be at most 254 characters']);
    }
    // A megabyte is refused by its length alone: the pattern never sees it.
    const test = jest.spyOn(RegExp.prototype, 'test');
    try {
      expect(() => parseConfig({ ADMIN_EMAIL: `a@${'.'.repeat(1_000_000)} ` })).toThrow(/ADMIN_EMAIL must be at most 254 characters$/m);
      // (zod counts characters with a surrogate-pair pattern, which is linear; no address pattern runs.)
      const patterns = test.mock.contexts.filter((_, i) => String(test.mock.calls[i][0]).length > 254).map((re) => String(re));
      expect(patterns.filter((source) => source.includes('@'))).toEqual([]);
    } finally {
      test.mockRestore();
    }
    expect(() => parseConfig({ ADMIN_EMAIL: 'not an email' })).toThrow(/ADMIN_EMAIL must be an email address/);
  });

  it('names the privacy contact and the retention run’s time of day, with defaults', () => {
    expect(parseConfig({}).privacy).toEqual({ contact: expect.stringMatching(/^The data protection officer of the council/), retentionTime: '02:30' });
    expect(parseConfig({ PRIVACY_CONTACT: 'dpo@northshire.gov.uk', RETENTION_TIME: '23:05' }).privacy).toEqual({ contact: 'dpo@northshire.gov.uk', retentionTime: '23:05' });
    for (const time of ['2:30', '24:00', '02:60', 'noon']) expect(() => parseConfig({ RETENTION_TIME: time })).toThrow(/RETENTION_TIME must be a time of day as HH:MM/);
    expect(() => parseConfig({ PRIVACY_CONTACT: 'x'.repeat(1001) })).toThrow(/PRIVACY_CONTACT must be at most 1,000 characters/);
  });
});
