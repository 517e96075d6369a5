import { SecretBox } from './secret-box';

describe('SecretBox (identity providers’ client secrets at rest)', () => {
  const box = new SecretBox('a-secrets-key-of-at-least-thirty-two-characters');

  it('seals so that the secret is not in the stored text, and opens it again for the same row', () => {
    const sealed = box.seal('client-secret-value', 'org-1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('client-secret-value');
    expect(box.open(sealed, 'org-1')).toBe('client-secret-value');
    // A fresh IV each time.
    expect(box.seal('client-secret-value', 'org-1')).not.toBe(sealed);
  });

  it('does not open under another key, for another row, or altered', () => {
    const sealed = box.seal('client-secret-value', 'org-1');
    expect(new SecretBox('another-secrets-key-of-at-least-thirty-two-chars').open(sealed, 'org-1')).toBeUndefined();
    expect(box.open(sealed, 'org-2')).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(box.open(parts.join('.'), 'org-1')).toBeUndefined();
    expect(box.open('not sealed', 'org-1')).toBeUndefined();
  });
});
