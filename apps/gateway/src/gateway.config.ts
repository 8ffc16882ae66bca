import { CommonConfig, ConfigurationError, readCommonConfig, readEncryptionKey, readPositiveInt } from '@app/common/config';
import { ApiKeys } from './auth/api-keys';

type Env = Readonly<Record<string, string | undefined>>;

export interface GatewayConfig extends CommonConfig {
  readonly apiKeys: ApiKeys;
  readonly encryptionKey: Buffer;
  readonly bodyLimitBytes: number;
}

/** Only outside production may the gateway fall back to a demo tenant. */
export const DEMO_API_KEYS = 'demo:demo-key-change-me';

export function readGatewayConfig(env: Env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const keys = env.GATEWAY_API_KEYS ?? (production ? undefined : DEMO_API_KEYS);
  if (!keys) throw new ConfigurationError('GATEWAY_API_KEYS', 'is not set (required in production: tenantId:key,...)');
  return {
    ...readCommonConfig(env, 3000),
    apiKeys: ApiKeys.parse(keys),
    encryptionKey: readEncryptionKey(env),
    bodyLimitBytes: readPositiveInt(env, 'GATEWAY_BODY_LIMIT_BYTES', 256 * 1024, 16 * 1024 * 1024),
  };
}
