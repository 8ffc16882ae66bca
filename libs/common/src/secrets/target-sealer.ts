import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { SealedTarget, TargetRequest } from '../contracts/service-call-target';
import { SealingKey, sealingKey } from './sealing-key';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs cut from one fill of the generator; Node buffers randomUUID's entropy the same way. */
const IVS_PER_FILL = 1024;

/**
 * Encrypts a tenant's call so that its secrets travel through events and the broker unreadable.
 * Seals with the current key; opens with it or any previous key, so SECRETS_ENCRYPTION_KEY can be
 * rotated while sealed calls are still pending (docs/runbook.md).
 */
export class TargetSealer {
  private readonly current: SealingKey;
  private readonly keys: ReadonlyMap<string, SealingKey>;
  private readonly ivs = new RandomIvs();

  constructor(currentKey: Buffer, previousKeys: readonly Buffer[] = []) {
    const all = [currentKey, ...previousKeys].map(sealingKey);
    this.current = all[0];
    this.keys = new Map(all.map((k) => [k.id, k]));
    if (this.keys.size !== all.length) throw new Error('TargetSealer was given the same key twice');
  }

  /** The id stamped on every payload this sealer seals. */
  get sealingKeyId(): string {
    return this.current.id;
  }

  /** Ids of every key this sealer opens with, the current one first. */
  get openingKeyIds(): readonly string[] {
    return [...this.keys.keys()];
  }

  seal(target: TargetRequest): SealedTarget {
    const iv = this.ivs.next();
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(target), 'utf8'), cipher.final()]);
    return {
      keyId: this.current.id,
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
    const ciphertext = Buffer.from(sealed.ciphertext, 'base64');
    if (sealed.keyId === undefined) return this.openWithAnyKey(iv, tag, ciphertext);
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new Error(
        `Sealed target was sealed with key ${sealed.keyId}, which is not configured (this process has ${this.openingKeyIds.join(', ')})`,
      );
    }
    const plaintext = decrypt(key, iv, tag, ciphertext);
    if (!plaintext) throw new Error(`Sealed target failed authentication with key ${key.id}: it was tampered with`);
    return parse(plaintext);
  }

  /** Payloads sealed before key ids existed name no key: the one that authenticates is the one. */
  private openWithAnyKey(iv: Buffer, tag: Buffer, ciphertext: Buffer): TargetRequest {
    for (const key of this.keys.values()) {
      const plaintext = decrypt(key, iv, tag, ciphertext);
      if (plaintext) return parse(plaintext);
    }
    throw new Error('Sealed target failed authentication: it was tampered with or sealed with a key that is not configured');
  }
}

/**
 * Fresh random IVs, each used once. An IV is not secret (it travels beside its ciphertext); under one
 * key it must never repeat. A call into OpenSSL's generator per seal cost about 40 µs more than a
 * slice of a buffer it filled (a woken gateway, cold caches); this pays that once per fill.
 */
class RandomIvs {
  private readonly pool = Buffer.alloc(IV_BYTES * IVS_PER_FILL);
  private offset = this.pool.length;

  next(): Buffer {
    if (this.offset === this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const iv = Buffer.from(this.pool.subarray(this.offset, this.offset + IV_BYTES));
    this.offset += IV_BYTES;
    return iv;
  }
}

function decrypt(key: SealingKey, iv: Buffer, tag: Buffer, ciphertext: Buffer): Buffer | null {
  const decipher = createDecipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

function parse(plaintext: Buffer): TargetRequest {
  return JSON.parse(plaintext.toString('utf8')) as TargetRequest;
}
