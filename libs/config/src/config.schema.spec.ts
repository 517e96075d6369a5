import { ConfigError, DEV_DEFAULTS, parseConfig } from './config.schema';

describe('parseConfig', () => {
  it('gives defaults that work on a fresh machine', () => {
    const config = parseConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/cocommission');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'cocommission' });
    expect(config.jwt.secret).toBe(DEV_DEFAULTS.jwtSecret);
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '' }).port).toBe(3000);
  });

  it('names every bad variable', () => {
    expect(() => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', QUEUE_PREFIX: 'a b' })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringContaining('PORT'),
          expect.stringContaining('DATABASE_URL'),
          expect.stringContaining('QUEUE_PREFIX'),
        ]),
      }),
    );
  });

  it('refuses to start in production without secrets', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      parseConfig({ NODE_ENV: 'production' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(
        expect.arrayContaining([
          'JWT_SECRET is required when NODE_ENV=production',
          'ADMIN_PASSWORD is required when NODE_ENV=production',
        ]),
      );
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
    expect(parseConfig({}).clock.offsetMs).toBe(0);
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
});
