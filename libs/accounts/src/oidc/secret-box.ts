/** Identity providers' client secrets encrypted at rest, bound to the organisation they belong to. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '@app/config';

/**
 * Client secrets at rest: AES-256-GCM under a key derived (HKDF) from SECRETS_KEY, bound to what
 * they belong to (the organisation's id as associated data: a secret copied to another row does
 * not open). `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'identity-provider-secret');
  }

  seal(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** The secret, or undefined when it does not open (another key, another row, altered). */
  open(sealed: string, boundTo: string): string | undefined {
    const [version, iv, tag, body, ...rest] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined || rest.length) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
