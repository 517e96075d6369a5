/** The Ed25519 key that signs the daily audit checkpoints: read from the setting, or generated for development. */
import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { APP_CONFIG, AppConfig } from '@app/config';

/** The key the daily checkpoints are signed with, or only its public half (a process that verifies). */
export interface AuditKey {
  privateKey: KeyObject | null;
  publicKey: KeyObject;
  /** SPKI, PEM: what the API publishes for anyone to verify with. */
  publicKeyPem: string;
  /** The first 16 hex digits of the SHA-256 of the public key's DER: named in every signed statement. */
  keyId: string;
}

/** Where a development or test machine keeps the key it generated (AUDIT_SIGNING_KEY unset, outside production). */
export const DEV_SIGNING_KEY_FILE = '.cocommission/audit-signing-key.pem';

/** The key from AUDIT_SIGNING_KEY's text: PEM (private, or public for a process that only verifies), base64 PKCS#8 DER, or the path of a file holding one. Ed25519 only. */
export function parseSigningKey(setting: string): AuditKey {
  const text = setting.trim();
  let privateKey: KeyObject;
  // The API and web app need only verify: they may be given the public key alone.
  if (text.startsWith('-----BEGIN PUBLIC KEY')) return publicAuditKey(text);
  if (text.startsWith('-----BEGIN')) privateKey = createPrivateKey(text);
  else if (existsSync(text)) return parseSigningKey(readFileSync(text, 'utf8'));
  else if (/^[A-Za-z0-9+/=\s]+$/.test(text)) privateKey = createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  else throw new Error('AUDIT_SIGNING_KEY is neither a PEM private key, base64 PKCS#8 nor the path of a file holding one');
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  return withPublic(privateKey);
}

function withPublic(privateKey: KeyObject | null, publicKey = createPublicKey(privateKey!)): AuditKey {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: createHash('sha256').update(der).digest('hex').slice(0, 16) };
}

/**
 * The key a process signs with: AUDIT_SIGNING_KEY when set; outside production, when unset, one
 * generated once into DEV_SIGNING_KEY_FILE (mode 0600) under `cwd`; in production none (nothing is
 * signed, and health says so).
 */
export function loadSigningKey(setting: string | null, env: AppConfig['env'], cwd = process.cwd()): AuditKey | null {
  if (setting) return parseSigningKey(setting);
  if (env === 'production') return null;
  const file = resolve(cwd, DEV_SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process wrote it meanwhile: theirs is the key.
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
  return parseSigningKey(readFileSync(file, 'utf8'));
}

/** A public key as published (PEM), to verify with. */
export function publicAuditKey(pem: string): AuditKey {
  const publicKey = createPublicKey(pem);
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 key, not ${publicKey.asymmetricKeyType}`);
  return withPublic(null, publicKey);
}

/** What is signed for one chain's head on a day: canonical JSON (RFC 8785), its bytes UTF-8. */
export const headStatement = (head: { kind: 'cycle' | 'agreement'; id: string; seq: number; hash: string; day: string; keyId: string }): string =>
  canonicalize({ type: 'cocommission-signed-head', kind: head.kind, id: head.id, seq: head.seq, hash: head.hash, day: head.day, keyId: head.keyId })!;

/** What is signed for a day: how many chains, and the SHA-256 of every chain's newest signed head, in order. */
export const dayStatement = (day: { day: string; chains: number; digest: string; keyId: string }): string =>
  canonicalize({ type: 'cocommission-checkpoint', day: day.day, chains: day.chains, digest: day.digest, keyId: day.keyId })!;

/** The digest a day's statement names: SHA-256 (hex) of the canonical list of `[kind, id, seq, hash]`, sorted by kind and id. */
export const headsDigest = (heads: [string, string, number, string][]): string => createHash('sha256').update(canonicalize(heads)!).digest('hex');

export const signStatement = (key: AuditKey, statement: string): string => {
  if (!key.privateKey) throw new Error('This key holds no private half: it verifies, it does not sign');
  return sign(null, Buffer.from(statement, 'utf8'), key.privateKey).toString('base64');
};

export const statementVerifies = (key: AuditKey, statement: string, signature: string): boolean => {
  try {
    return verify(null, Buffer.from(statement, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};

/** The process's audit key, read once (see loadSigningKey). */
@Injectable()
export class AuditSigningKey {
  private readonly logger = new Logger('AuditSigning');
  private loaded?: AuditKey | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(): AuditKey | null {
    if (this.loaded === undefined) {
      this.loaded = loadSigningKey(this.config.audit.signingKey, this.config.env);
      if (!this.loaded) this.logger.error('AUDIT_SIGNING_KEY is unset: no checkpoint of the histories is signed (see docs/security.md)');
    }
    return this.loaded;
  }
}
