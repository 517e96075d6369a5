/** One-click unsubscribe links that need no sign-in, signed so nobody can turn off someone else's email. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe links (RFC 8058) that need no sign-in: the user's id signed (HMAC-SHA256)
 * with the links' own key (derived from JWT_SECRET), so nobody can turn off someone else's email.
 */
export class UnsubscribeLinks {
  constructor(
    private readonly key: Buffer,
    private readonly webUrl: string,
  ) {}

  token(userId: string): string {
    return createHmac('sha256', this.key).update(`unsubscribe.${userId}`).digest('base64url');
  }

  url(userId: string): string {
    return `${this.webUrl}/unsubscribe?user=${encodeURIComponent(userId)}&token=${this.token(userId)}`;
  }

  verify(userId: unknown, token: unknown): userId is string {
    if (typeof userId !== 'string' || typeof token !== 'string' || token.length > 100) return false;
    const expected = Buffer.from(this.token(userId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
