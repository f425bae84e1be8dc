/**
 * The audit signing key: an Ed25519 key the database never holds, so that whoever can write the database still cannot
 * make a checkpoint or a pending audit row that verifies. The private key is a PEM file (AUDIT_SIGNING_KEY, or one
 * generated into DATA_DIR on first start); the public key is what the 政風 office keeps to run
 * `audit-log verify --public-key`.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The file names the embedded default uses in DATA_DIR. */
export const GENERATED_KEY_FILE = 'audit-signing-key.pem';
export const GENERATED_PUBLIC_KEY_FILE = 'audit-signing-key.pub.pem';

/** A public key as a verifier holds it: the key and its id (which every checkpoint names). */
export interface AuditPublicKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
}

export interface AuditKey extends AuditPublicKey {
  /** Signs with Ed25519; base64. */
  sign(message: string): string;
  /**
   * HMAC-SHA256 under a key derived from the private key; hex. What the server checks its own rows with, cheaply: an
   * Ed25519 verification costs about 25 times as much, and the server checks every event before it seals it.
   */
  mac(message: string): string;
  /** Where the private key came from: the configured file, or generated (and where). */
  readonly source: { readonly kind: 'configured' | 'generated' | 'loaded-generated'; readonly file: string };
}

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

/** The key id: the first 16 hex digits of the SHA-256 of the public key's DER (SPKI). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function auditPublicKey(pem: string, from = 'the public key'): AuditPublicKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (e) {
    throw new AuditKeyError(`${from}: 不是 PEM 公鑰 / not a PEM public key (${(e as Error).message.slice(0, 100)})`);
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditKeyError(`${from}: 須為 Ed25519 公鑰 / must be an Ed25519 public key`);
  }
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

export function readAuditPublicKey(file: string): AuditPublicKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AuditKeyError(`無法讀取公鑰 / cannot read the public key ${file}: ${(e as Error).message.slice(0, 100)}`);
  }
  return auditPublicKey(pem, file);
}

function fromPrivateKey(privateKey: KeyObject, source: AuditKey['source']): AuditKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditKeyError(`${source.file}: 須為 Ed25519 私鑰 / must be an Ed25519 private key (PKCS #8 PEM)`);
  }
  const publicKey = createPublicKey(privateKey);
  const macKey = createHmac('sha256', privateKey.export({ type: 'pkcs8', format: 'der' }))
    .update('secrecy-guard audit mac v1')
    .digest();
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    source,
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64'),
    mac: (message) => createHmac('sha256', macKey).update(message, 'utf8').digest('hex'),
  };
}

/**
 * The configured key file, or the embedded default's in `dataDir`: created on first start (owner-only, 0600), with
 * its public key written beside it.
 */
export function loadAuditKey(options: { file: string | null; dataDir: string }): AuditKey {
  if (options.file !== null) {
    return fromPrivateKey(readPrivate(options.file), { kind: 'configured', file: options.file });
  }
  const file = path.resolve(options.dataDir, GENERATED_KEY_FILE);
  if (existsSync(file)) {
    return fromPrivateKey(readPrivate(file), { kind: 'loaded-generated', file });
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  // 'wx': two servers starting on one DATA_DIR must not each write a key and sign with different ones.
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  const key = fromPrivateKey(privateKey, { kind: 'generated', file });
  writeFileSync(path.resolve(options.dataDir, GENERATED_PUBLIC_KEY_FILE), key.publicPem, { mode: 0o644 });
  return key;
}

function readPrivate(file: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AuditKeyError(
      `無法讀取稽核簽章私鑰 / cannot read the audit signing key ${file}: ${(e as Error).message.slice(0, 100)}`,
    );
  }
}

/** Whether `signature` (base64) is `key`'s Ed25519 signature of `message`. */
export function verifySignature(key: AuditPublicKey, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
