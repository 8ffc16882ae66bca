import { keyIdOf, parseEncryptionKey } from '../secrets/sealing-key';
import { ConfigurationError } from './configuration-error';

type Env = Readonly<Record<string, string | undefined>>;

/** The key that seals new targets and the keys that still open older ones (rotation, docs/runbook.md). */
export interface SealingKeys {
  readonly current: Buffer;
  readonly previous: readonly Buffer[];
}

export function readEncryptionKey(env: Env): Buffer {
  const value = env.SECRETS_ENCRYPTION_KEY;
  if (!value)
    throw new ConfigurationError(
      'SECRETS_ENCRYPTION_KEY',
      'is not set (expected 32 random bytes, base64: openssl rand -base64 32)',
    );
  try {
    return parseEncryptionKey(value);
  } catch {
    throw new ConfigurationError('SECRETS_ENCRYPTION_KEY', 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  }
}

/**
 * SECRETS_ENCRYPTION_KEY plus the optional SECRETS_DECRYPTION_KEYS, a comma list of other base64
 * keys that only open. Messages name entries by position and key id, never by value.
 */
export function readSealingKeys(env: Env): SealingKeys {
  const current = readEncryptionKey(env);
  const value = env.SECRETS_DECRYPTION_KEYS ?? '';
  if (value.trim() === '') return { current, previous: [] };
  const seen = new Map<string, string>([[keyIdOf(current), 'SECRETS_ENCRYPTION_KEY']]);
  const previous = value.split(',').map((entry, index) => {
    const position = `entry ${index + 1}`;
    if (entry.trim() === '')
      throw new ConfigurationError(
        'SECRETS_DECRYPTION_KEYS',
        `${position} is empty (expected base64 keys separated by commas)`,
      );
    let key: Buffer;
    try {
      key = parseEncryptionKey(entry);
    } catch {
      throw new ConfigurationError(
        'SECRETS_DECRYPTION_KEYS',
        `${position} must be 32 bytes, base64-encoded (openssl rand -base64 32)`,
      );
    }
    const id = keyIdOf(key);
    const earlier = seen.get(id);
    if (earlier)
      throw new ConfigurationError(
        'SECRETS_DECRYPTION_KEYS',
        `${position} repeats ${earlier} (key id ${id}); list each key once`,
      );
    seen.set(id, position);
    return key;
  });
  return { current, previous };
}
