import { randomBytes } from 'node:crypto';
import { keyIdOf, parseEncryptionKey } from './sealing-key';

describe('keyIdOf', () => {
  it('is the first 8 hex digits of the SHA-256 of the raw key, as the runbook computes it', () => {
    const key = Buffer.from('5mBaT3w6yDv0vN1x0kq3Zq7qkUj8oV0m6h2nqzGkq1E=', 'base64');

    // printf %s '5mBaT3w6yDv0vN1x0kq3Zq7qkUj8oV0m6h2nqzGkq1E=' | base64 -d | sha256sum | cut -c1-8
    expect(keyIdOf(key)).toBe('1c0defb9');
    expect(keyIdOf(key)).toBe(keyIdOf(Buffer.from(key)));
    expect(keyIdOf(randomBytes(32))).not.toBe(keyIdOf(key));
  });
});

describe('parseEncryptionKey', () => {
  it('decodes a base64 32-byte key', () => {
    const key = randomBytes(32);

    expect(parseEncryptionKey(`${key.toString('base64')}\n`).equals(key)).toBe(true);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['not base64', '!'.repeat(44)],
    ['empty', ''],
  ])('rejects a key that is %s', (_why, value) => {
    expect(() => parseEncryptionKey(value)).toThrow('SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  });
});
