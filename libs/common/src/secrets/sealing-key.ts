import { createHash } from 'node:crypto';

export const SEALING_KEY_BYTES = 32;

/** An AES-256 key and the id that sealed payloads carry to name it. */
export interface SealingKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The first 8 hex digits of the key's SHA-256: nobody has to name keys, operators can compute it
 * (`printf %s "$KEY" | base64 -d | sha256sum | cut -c1-8`), and 32 bits of a hash of a 256-bit
 * random key reveal nothing usable about it.
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function sealingKey(key: Buffer): SealingKey {
  if (key.length !== SEALING_KEY_BYTES) throw new Error(`TargetSealer needs a ${SEALING_KEY_BYTES}-byte key`);
  return { id: keyIdOf(key), key: Buffer.from(key) };
}

/** Decodes one base64 32-byte key; the message never repeats the value. */
export function parseEncryptionKey(base64: string): Buffer {
  const trimmed = base64.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from skips characters that are not base64; re-encoding catches such keys.
  if (key.length !== SEALING_KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new Error('SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }
  return key;
}
