import { JwtService } from '@nestjs/jwt';
import { parseConfig } from '@app/config';
import { Unauthenticated } from '@app/domain';
import { TokenService } from './token.service';
import type { UserEntity } from './user.entity';

describe('TokenService', () => {
  const config = parseConfig({ JWT_TTL_SECONDS: '60' });
  const user = { id: '6f1c2b1e-0000-4000-8000-000000000001', role: 'member', organisationId: '6f1c2b1e-0000-4000-8000-000000000002', organisation: { kind: 'provider' }, sessionGeneration: 3 } as UserEntity;
  afterEach(() => jest.useRealTimers());

  it('verifies a token once, then remembers it until it expires, and no longer', () => {
    jest.useFakeTimers({ now: new Date('2027-01-10T09:00:00Z') });
    const tokens = new TokenService(new JwtService({}), config);
    const { accessToken } = tokens.issue(user);
    expect(tokens.verify(accessToken)).toEqual({ userId: user.id, role: 'member', organisationId: user.organisationId, organisationKind: 'provider', generation: 3 });
    expect(tokens.verify(accessToken).userId).toBe(user.id);
    jest.setSystemTime(new Date('2027-01-10T09:01:01Z'));
    expect(() => tokens.verify(accessToken)).toThrow(Unauthenticated);
  });

  it('never remembers a token it refused', () => {
    const tokens = new TokenService(new JwtService({}), config);
    const { accessToken } = tokens.issue(user);
    const tampered = `${accessToken.slice(0, -2)}xx`;
    expect(() => tokens.verify(tampered)).toThrow(Unauthenticated);
    expect(() => tokens.verify(tampered)).toThrow(Unauthenticated);
  });
});
