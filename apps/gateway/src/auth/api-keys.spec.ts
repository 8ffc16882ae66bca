import { createHash } from 'node:crypto';
import { ConfigurationError } from '@app/common/config';
import { ApiKeys } from './api-keys';

describe('ApiKeys', () => {
  it('maps a bearer key to its tenant, for plain and sha256 keys', () => {
    const digest = createHash('sha256').update('hashed-key-123').digest('hex');
    const keys = ApiKeys.parse(`acme:plain-key-123, globex:sha256:${digest}`);
    expect(keys.tenantFor('plain-key-123')).toBe('acme');
    expect(keys.tenantFor('hashed-key-123')).toBe('globex');
    expect(keys.tenantFor('unknown-key-123')).toBeUndefined();
    expect(keys.tenantFor(`sha256:${digest}`)).toBeUndefined();
  });

  it.each(['', 'nocolon', ':key-without-tenant', 'tenant:', 'bad tenant:key-123456', 'acme:short'])(
    'rejects "%s" naming GATEWAY_API_KEYS',
    (value) => {
      expect(() => ApiKeys.parse(value)).toThrow(ConfigurationError);
      expect(() => ApiKeys.parse(value)).toThrow(/^GATEWAY_API_KEYS /);
    },
  );
});
