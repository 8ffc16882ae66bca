import { randomBytes } from 'node:crypto';
import { keyIdOf } from '../secrets/sealing-key';
import { ConfigurationError } from './configuration-error';
import { readSealingKeys } from './secrets-config';

const base64Key = () => randomBytes(32).toString('base64');

function failure(env: Record<string, string>): ConfigurationError {
  try {
    readSealingKeys(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('readSealingKeys accepted a bad configuration');
}

describe('readSealingKeys', () => {
  const current = base64Key();

  it('reads the current key alone when SECRETS_DECRYPTION_KEYS is unset or blank', () => {
    for (const env of [
      { SECRETS_ENCRYPTION_KEY: current },
      { SECRETS_ENCRYPTION_KEY: current, SECRETS_DECRYPTION_KEYS: ' ' },
    ]) {
      const keys = readSealingKeys(env);

      expect(keys.current.toString('base64')).toBe(current);
      expect(keys.previous).toEqual([]);
    }
  });

  it('reads previous keys in order, trimming spaces around the commas', () => {
    const [a, b] = [base64Key(), base64Key()];

    const keys = readSealingKeys({ SECRETS_ENCRYPTION_KEY: current, SECRETS_DECRYPTION_KEYS: ` ${a} ,${b}` });

    expect(keys.previous.map((k) => k.toString('base64'))).toEqual([a, b]);
  });

  it('still requires SECRETS_ENCRYPTION_KEY', () => {
    expect(failure({ SECRETS_DECRYPTION_KEYS: base64Key() }).variable).toBe('SECRETS_ENCRYPTION_KEY');
  });

  it.each([
    [
      'not base64',
      () => `${base64Key()},${'!'.repeat(44)}`,
      /^SECRETS_DECRYPTION_KEYS entry 2 must be 32 bytes, base64-encoded/,
    ],
    ['16 bytes', () => randomBytes(16).toString('base64'), /^SECRETS_DECRYPTION_KEYS entry 1 must be 32 bytes/],
    ['33 bytes', () => randomBytes(33).toString('base64'), /^SECRETS_DECRYPTION_KEYS entry 1 must be 32 bytes/],
    ['an empty entry', () => `${base64Key()},,${base64Key()}`, /^SECRETS_DECRYPTION_KEYS entry 2 is empty/],
    ['a trailing comma', () => `${base64Key()},`, /^SECRETS_DECRYPTION_KEYS entry 2 is empty/],
  ])('rejects %s, naming the variable and the entry but not the value', (_why, value, message) => {
    const entries = value();

    const error = failure({ SECRETS_ENCRYPTION_KEY: current, SECRETS_DECRYPTION_KEYS: entries });

    expect(error.variable).toBe('SECRETS_DECRYPTION_KEYS');
    expect(error.message).toMatch(message);
    for (const entry of entries.split(',').filter((e) => e.length > 4)) expect(error.message).not.toContain(entry);
  });

  it('rejects a key listed twice, naming both places by key id', () => {
    const a = base64Key();

    expect(failure({ SECRETS_ENCRYPTION_KEY: current, SECRETS_DECRYPTION_KEYS: `${a},${base64Key()},${a}` }).message).toBe(
      `SECRETS_DECRYPTION_KEYS entry 3 repeats entry 1 (key id ${keyIdOf(Buffer.from(a, 'base64'))}); list each key once`,
    );
  });

  it('rejects the current key among the previous ones', () => {
    expect(failure({ SECRETS_ENCRYPTION_KEY: current, SECRETS_DECRYPTION_KEYS: current }).message).toBe(
      `SECRETS_DECRYPTION_KEYS entry 1 repeats SECRETS_ENCRYPTION_KEY (key id ${keyIdOf(Buffer.from(current, 'base64'))}); list each key once`,
    );
  });
});
