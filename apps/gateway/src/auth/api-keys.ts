import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '@app/common/config';

const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;
const SHA256 = /^sha256:([0-9a-f]{64})$/i;

/** The tenants' API keys, held only as SHA-256 digests. */
export class ApiKeys {
  private constructor(private readonly entries: ReadonlyArray<{ tenantId: string; digest: Buffer }>) {}

  /** `tenantId:key,...`; a key may be given as `sha256:<hex>` so the plain key never sits in config. */
  static parse(value: string): ApiKeys {
    const entries = value
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf(':');
        const tenantId = at > 0 ? pair.slice(0, at) : '';
        const key = at > 0 ? pair.slice(at + 1) : '';
        if (!TENANT.test(tenantId) || key.length === 0) {
          throw new ConfigurationError(
            'GATEWAY_API_KEYS',
            'must be tenantId:key pairs separated by commas (tenantId: letters, digits, _ . -; key: non-empty or sha256:<hex>)',
          );
        }
        const hashed = SHA256.exec(key);
        if (!hashed && key.length < 8)
          throw new ConfigurationError('GATEWAY_API_KEYS', `has a key shorter than 8 characters for tenant "${tenantId}"`);
        return { tenantId, digest: hashed ? Buffer.from(hashed[1], 'hex') : sha256(key) };
      });
    if (entries.length === 0) throw new ConfigurationError('GATEWAY_API_KEYS', 'holds no tenantId:key pair');
    return new ApiKeys(entries);
  }

  /** The tenant a bearer key belongs to, or undefined; compares every digest in constant time. */
  tenantFor(key: string): string | undefined {
    const digest = sha256(key);
    let tenant: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) tenant ??= entry.tenantId;
    }
    return tenant;
  }
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
