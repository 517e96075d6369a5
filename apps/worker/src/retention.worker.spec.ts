import { retentionPattern } from './retention.worker';

describe('the retention run’s schedule', () => {
  it('is a daily cron pattern at RETENTION_TIME', () => {
    expect(retentionPattern('02:30')).toBe('30 2 * * *');
    expect(retentionPattern('00:05')).toBe('5 0 * * *');
    expect(retentionPattern('23:59')).toBe('59 23 * * *');
  });
});
