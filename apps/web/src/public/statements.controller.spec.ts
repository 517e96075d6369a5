import { lifetime } from './statements.controller';

describe('lifetime', () => {
  it('says a cookie’s lifetime in the largest whole unit', () => {
    expect(lifetime(28_800)).toBe('8 hours');
    expect(lifetime(3600)).toBe('1 hour');
    expect(lifetime(600)).toBe('10 minutes');
    expect(lifetime(5400)).toBe('90 minutes');
    expect(lifetime(86_400)).toBe('1 day');
    expect(lifetime(90)).toBe('90 seconds');
    expect(lifetime(1)).toBe('1 second');
  });
});
