/** Keys derived from JWT_SECRET, one per purpose, and the access tokens' issuer and audience. */
import { hkdfSync } from 'node:crypto';

/** What a key derived from JWT_SECRET is for: each purpose its own key, none usable for another. */
export type KeyPurpose = 'access-token' | 'unsubscribe-link' | 'identity-provider-secret';

/**
 * A 32-byte key for one purpose, derived from JWT_SECRET with HKDF-SHA256 (RFC 5869): a
 * signature made for one purpose (an unsubscribe link) never verifies as another (an access token),
 * and none is made with the secret itself.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret), Buffer.from('cocommission'), Buffer.from(`cocommission ${purpose} v1`), 32));
}

/** The access tokens' issuer and audience (`iss`, `aud`): checked on every token. */
export const ACCESS_TOKEN_ISSUER = 'cocommission';
export const ACCESS_TOKEN_AUDIENCE = 'cocommission-api';
