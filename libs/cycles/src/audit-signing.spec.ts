import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SIGNING_KEY_FILE, dayStatement, headStatement, headsDigest, loadSigningKey, parseSigningKey, publicAuditKey, signStatement, statementVerifies } from './audit-signing';

describe('the audit signing key', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const base64 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is read from PEM, base64 PKCS#8 or a file holding either: the same key, the same id', () => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);
    const keys = [parseSigningKey(pem), parseSigningKey(base64), parseSigningKey(file), parseSigningKey(`\n${base64}\n`)];
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    expect(keys[0].keyId).toMatch(/^[0-9a-f]{16}$/);
    const statement = headStatement({ kind: 'cycle', id: 'a', seq: 3, hash: 'h', day: '2026-12-06', keyId: keys[0].keyId });
    // Signed with one form, verified with the public key alone (PEM, as published).
    const signature = signStatement(keys[1], statement);
    const published = publicAuditKey(keys[2].publicKeyPem);
    expect(published.privateKey).toBeNull();
    expect(published.keyId).toBe(keys[0].keyId);
    expect(statementVerifies(published, statement, signature)).toBe(true);
    expect(statementVerifies(published, statement.replace('"seq":3', '"seq":4'), signature)).toBe(false);
    expect(statementVerifies(published, statement, 'not base64 at all')).toBe(false);
    expect(() => signStatement(published, statement)).toThrow(/verifies, it does not sign/);
    // A process that only verifies may be given the public key alone.
    expect(parseSigningKey(keys[0].publicKeyPem)).toMatchObject({ privateKey: null, keyId: keys[0].keyId });
  });

  it('refuses what is not an Ed25519 private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseSigningKey(rsa)).toThrow(/must be an Ed25519 key, not rsa/);
    expect(() => parseSigningKey('not a key: (none)')).toThrow(/neither a PEM private key/);
    expect(() => parseSigningKey('AAAA')).toThrow();
  });

  it('without AUDIT_SIGNING_KEY: outside production one key generated into a file and kept; in production none', () => {
    const first = loadSigningKey(null, 'development', dir)!;
    const file = join(dir, DEV_SIGNING_KEY_FILE);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(loadSigningKey(null, 'test', dir)!.keyId).toBe(first.keyId);
    expect(loadSigningKey(null, 'production', dir)).toBeNull();
    expect(loadSigningKey(pem, 'production', dir)!.keyId).toBe(parseSigningKey(pem).keyId);
  });

  it('signs canonical statements: the day names the digest of every head, in order', () => {
    expect(headStatement({ kind: 'cycle', id: 'b', seq: 1, hash: 'h', day: '2026-12-06', keyId: 'k' })).toBe(
      '{"day":"2026-12-06","hash":"h","id":"b","keyId":"k","kind":"cycle","seq":1,"type":"cocommission-signed-head"}',
    );
    expect(dayStatement({ day: '2026-12-06', chains: 2, digest: 'd', keyId: 'k' })).toBe('{"chains":2,"day":"2026-12-06","digest":"d","keyId":"k","type":"cocommission-checkpoint"}');
    expect(headsDigest([['cycle', 'a', 1, 'h']])).toMatch(/^[0-9a-f]{64}$/);
    expect(headsDigest([['cycle', 'a', 1, 'h']])).not.toBe(headsDigest([['cycle', 'a', 2, 'h']]));
  });
});
