import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedTarget, TargetRequest } from '../contracts/service-call-target';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function parseEncryptionKey(base64: string): Buffer {
  const trimmed = base64.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from skips characters that are not base64; re-encoding catches such keys.
  if (key.length !== KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new Error('SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }
  return key;
}

/** Encrypts a tenant's call so that its secrets travel through events and the broker unreadable. */
export class TargetSealer {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`TargetSealer needs a ${KEY_BYTES}-byte key`);
    this.key = Buffer.from(key);
  }

  seal(target: TargetRequest): SealedTarget {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(target), 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  open(sealed: SealedTarget): TargetRequest {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new Error('Sealed target is malformed: wrong IV or tag length');
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
    } catch {
      throw new Error('Sealed target failed authentication: it was tampered with or sealed with another key');
    }
    return JSON.parse(plaintext.toString('utf8')) as TargetRequest;
  }
}
