import { createCipheriv, randomBytes } from 'node:crypto';
import type { SealedTarget, TargetRequest } from '../contracts/service-call-target';
import { keyIdOf } from './sealing-key';
import { TargetSealer } from './target-sealer';

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

/** A payload exactly as the sealer wrote it before key ids existed (no `keyId`). */
function sealedWithoutKeyId(key: Buffer): SealedTarget {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(target), 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
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

  it('never repeats an IV across refills of its random buffer', () => {
    const ivs = Array.from({ length: 3_000 }, () => sealer.seal(target).iv);

    expect(new Set(ivs).size).toBe(ivs.length);
    expect(ivs.every((iv) => Buffer.from(iv, 'base64').length === 12)).toBe(true);
  });

  it.each<[string, (sealed: SealedTarget) => SealedTarget]>([
    ['ciphertext', (s) => ({ ...s, ciphertext: flipFirstByte(s.ciphertext) })],
    ['tag', (s) => ({ ...s, tag: flipFirstByte(s.tag) })],
    ['iv', (s) => ({ ...s, iv: flipFirstByte(s.iv) })],
  ])('rejects a tampered %s', (_part, tamper) => {
    expect(() => sealer.open(tamper(sealer.seal(target)))).toThrow(/tampered/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new TargetSealer(randomBytes(16))).toThrow(/32-byte key/);
    expect(() => new TargetSealer(randomBytes(32), [randomBytes(31)])).toThrow(/32-byte key/);
  });

  it('refuses the same key twice', () => {
    const key = randomBytes(32);

    expect(() => new TargetSealer(key, [Buffer.from(key)])).toThrow(/same key twice/);
  });
});

describe('TargetSealer during a key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const rotated = new TargetSealer(newKey, [oldKey]);

  it('stamps the id of the current key, the first 8 hex digits of its SHA-256', () => {
    const sealed = rotated.seal(target);

    expect(sealed.keyId).toBe(keyIdOf(newKey));
    expect(sealed.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(rotated.sealingKeyId).toBe(keyIdOf(newKey));
    expect(rotated.openingKeyIds).toEqual([keyIdOf(newKey), keyIdOf(oldKey)]);
  });

  it('seals with the new key only: a sealer that knows just the old key cannot open it', () => {
    const sealed = rotated.seal(target);

    expect(new TargetSealer(newKey).open(sealed)).toEqual(target);
    expect(() => new TargetSealer(oldKey).open(sealed)).toThrow(
      `sealed with key ${keyIdOf(newKey)}, which is not configured`,
    );
  });

  it('opens what the old key sealed, with or without a key id', () => {
    expect(rotated.open(new TargetSealer(oldKey).seal(target))).toEqual(target);
    expect(rotated.open(sealedWithoutKeyId(oldKey))).toEqual(target);
    expect(rotated.open(sealedWithoutKeyId(newKey))).toEqual(target);
  });

  it('names the unknown key and the configured ones when a payload names a key it does not have', () => {
    const stranger = randomBytes(32);
    const sealed = new TargetSealer(stranger).seal(target);

    expect(() => rotated.open(sealed)).toThrow(
      `Sealed target was sealed with key ${keyIdOf(stranger)}, which is not configured (this process has ${keyIdOf(newKey)}, ${keyIdOf(oldKey)})`,
    );
  });

  it('says so when no configured key opens a payload without a key id', () => {
    expect(() => rotated.open(sealedWithoutKeyId(randomBytes(32)))).toThrow(
      /tampered with or sealed with a key that is not configured/,
    );
  });

  it('does not let a changed key id pass a payload off as sealed by another key', () => {
    const sealed = new TargetSealer(oldKey).seal(target);

    expect(() => rotated.open({ ...sealed, keyId: keyIdOf(newKey) })).toThrow(
      `failed authentication with key ${keyIdOf(newKey)}`,
    );
  });
});
