import { parseEncryptionKey } from '../secrets/target-sealer';
import { ConfigurationError } from './configuration-error';

export function readEncryptionKey(env: Readonly<Record<string, string | undefined>>): Buffer {
  const value = env.SECRETS_ENCRYPTION_KEY;
  if (!value) throw new ConfigurationError('SECRETS_ENCRYPTION_KEY', 'is not set (expected 32 random bytes, base64: openssl rand -base64 32)');
  try {
    return parseEncryptionKey(value);
  } catch {
    throw new ConfigurationError('SECRETS_ENCRYPTION_KEY', 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  }
}
