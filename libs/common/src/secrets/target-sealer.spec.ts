import { randomBytes } from 'node:crypto';
import type { SealedTarget, TargetRequest } from '../contracts/service-call-target';
import { parseEncryptionKey, TargetSealer } from './target-sealer';

const target: TargetRequest = {
  method: 'PUT',
  url: 'https://api.example.com/orders/1?api_key=secret',
  headers: { authorization: 'Bearer s3cr3t', 'content-type': 'application/json' },
  body: '{"note":"ünïcødé ✓"}',
};

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}

describe('TargetSealer', () => {
  const sealer = new TargetSealer(randomBytes(32));

  it('opens what it sealed', () => {
    expect(sealer.open(sealer.seal(target))).toEqual(target);
  });

  it('keeps secrets out of the sealed form and uses a fresh IV each time', () => {
    const first = sealer.seal(target);
    const second = sealer.seal(target);

    expect(JSON.stringify(first)).not.toContain('s3cr3t');
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(12);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
  });

  it.each<[string, (sealed: SealedTarget) => SealedTarget]>([
    ['ciphertext', (s) => ({ ...s, ciphertext: flipFirstByte(s.ciphertext) })],
    ['tag', (s) => ({ ...s, tag: flipFirstByte(s.tag) })],
    ['iv', (s) => ({ ...s, iv: flipFirstByte(s.iv) })],
  ])('rejects a tampered %s', (_part, tamper) => {
    expect(() => sealer.open(tamper(sealer.seal(target)))).toThrow(/tampered/);
  });

  it('rejects a target sealed with another key', () => {
    const sealed = new TargetSealer(randomBytes(32)).seal(target);

    expect(() => sealer.open(sealed)).toThrow(/tampered/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new TargetSealer(randomBytes(16))).toThrow(/32-byte key/);
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
