import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, deriveKey, parseConfig } from '@app/config';
import { Unauthenticated } from '@app/domain';
import { TokenService } from './token.service';
import type { UserEntity } from './user.entity';

describe('TokenService', () => {
  const config = parseConfig({ NODE_ENV: 'test', JWT_TTL_SECONDS: '60' });
  const user = {
    id: '6f1c2b1e-0000-4000-8000-000000000001',
    role: 'member',
    organisationId: '6f1c2b1e-0000-4000-8000-000000000002',
    organisation: { kind: 'provider' },
    sessionGeneration: 3,
  } as UserEntity;
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

  it('signs with a key of its own (not JWT_SECRET itself), names its issuer and audience, and refuses a token without them', () => {
    const tokens = new TokenService(new JwtService({}), config);
    const { accessToken } = tokens.issue(user);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE });
    const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, ...rest } = claims;
    const jwt = new JwtService({});
    const sign = (secret: string | Buffer, extra: object) => jwt.sign({ ...rest, ...extra }, { secret: secret as string, algorithm: 'HS256', expiresIn: 60 });
    const key = deriveKey(config.jwt.secret, 'access-token');
    // The raw secret (what signed tokens before, and what keys nothing now) is refused.
    expect(() => tokens.verify(sign(config.jwt.secret, { iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE }))).toThrow(Unauthenticated);
    // The unsubscribe links' key is another key.
    expect(() => tokens.verify(sign(deriveKey(config.jwt.secret, 'unsubscribe-link'), { iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE }))).toThrow(Unauthenticated);
    expect(() => tokens.verify(sign(key, {}))).toThrow(Unauthenticated);
    expect(() => tokens.verify(sign(key, { iss: ACCESS_TOKEN_ISSUER, aud: 'another-service' }))).toThrow(Unauthenticated);
    expect(() => tokens.verify(sign(key, { iss: 'someone-else', aud: ACCESS_TOKEN_AUDIENCE }))).toThrow(Unauthenticated);
    expect(tokens.verify(sign(key, { iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE })).userId).toBe(user.id);
  });
});
