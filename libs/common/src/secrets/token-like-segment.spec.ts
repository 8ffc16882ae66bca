import { looksLikeToken } from './token-like-segment';

/** A seeded generator, so the corpora (and the measured rates) are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(20261125);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const randomString = (alphabet: string, length: number) => Array.from({ length }, () => pick([...alphabet])).join('');

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALPHABETS = {
  base64url: `${UPPER}${LOWER}${DIGITS}-_`,
  alphanumeric: `${UPPER}${LOWER}${DIGITS}`,
  'lower-case alphanumeric': `${LOWER}${DIGITS}`,
  'upper-case alphanumeric': `${UPPER}${DIGITS}`,
  hex: '0123456789abcdef',
};
const WORDS = [
  'order',
  'orders',
  'invoice',
  'customer',
  'account',
  'user',
  'users',
  'report',
  'daily',
  'weekly',
  'export',
  'import',
  'settings',
  'product',
  'catalog',
  'payment',
  'refund',
  'status',
  'webhook',
  'event',
  'events',
  'billing',
  'shipment',
  'tracking',
  'profile',
  'preferences',
  'notification',
  'subscription',
  'renewal',
  'region',
  'europe',
  'west',
  'service',
  'schedule',
  'calendar',
  'item',
  'line',
  'final',
  'draft',
  'summary',
  'archive',
  'document',
  'attachment',
  'image',
  'large',
  'thumbnail',
  'partner',
  'integration',
];
const capitalised = (w: string) => w[0].toUpperCase() + w.slice(1);
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS));
const uuid = () => [8, 4, 4, 4, 12].map((n) => randomString(ALPHABETS.hex, n)).join('-');

/** Ids, names and dates as they appear in REST paths: these must stay readable. */
const READABLE_SEGMENT_KINDS: Record<string, () => string> = {
  slug: () => words(3 + Math.floor(random() * 4)).join('-'),
  'slug with numbers': () =>
    [...words(2), String(2000 + Math.floor(random() * 30)), randomString(DIGITS, 2), ...words(1)].join('-'),
  snake_case: () => words(3 + Math.floor(random() * 3)).join('_'),
  camelCase: () => {
    const [first, ...rest] = words(3 + Math.floor(random() * 3));
    return first + rest.map(capitalised).join('');
  },
  PascalCase: () =>
    words(3 + Math.floor(random() * 3))
      .map(capitalised)
      .join(''),
  'PascalCase with a number': () => words(3).map(capitalised).join('') + randomString(DIGITS, 1 + Math.floor(random() * 4)),
  UUID: uuid,
  'upper-case UUID': () => uuid().toUpperCase(),
  'UUID v4 without hyphens': () =>
    `${randomString(ALPHABETS.hex, 12)}4${randomString(ALPHABETS.hex, 3)}${pick([...'89ab'])}${randomString(ALPHABETS.hex, 15)}`,
  ULID: () => pick([...'01234567']) + randomString('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 25),
  'MongoDB ObjectId': () => randomString(ALPHABETS.hex, 24),
  'Stripe-style object id': () =>
    `${pick(['pi', 'cus', 'in', 'sub', 'ch', 'prod', 'price'])}_${randomString(ALPHABETS.alphanumeric, 14 + Math.floor(random() * 11))}`,
  'long number': () => randomString(DIGITS, 18 + Math.floor(random() * 6)),
  'ISO date-time': () => new Date(Math.floor(random() * 2e12)).toISOString(),
  'compact date-time': () => new Date(Math.floor(random() * 2e12)).toISOString().replace(/[-:.]/g, ''),
  'file name': () => `${words(2).join('-')}-${randomString(DIGITS, 8)}.${pick(['pdf', 'csv', 'json', 'png'])}`,
};

/** Credentials that land in paths; `minimumCaught` is the measured share, rounded down (ADR-0008 quotes it). */
const TOKEN_KINDS: Record<string, { make: () => string; minimumCaught: number }> = {
  'base64url, 22 chars (128 bits)': { make: () => randomString(ALPHABETS.base64url, 22), minimumCaught: 0.995 },
  'base64url, 32 chars': { make: () => randomString(ALPHABETS.base64url, 32), minimumCaught: 0.999 },
  'base64url, 43 chars (256 bits)': { make: () => randomString(ALPHABETS.base64url, 43), minimumCaught: 1 },
  'alphanumeric, 20 chars': { make: () => randomString(ALPHABETS.alphanumeric, 20), minimumCaught: 0.995 },
  'alphanumeric, 24 chars (Slack webhook secret)': {
    make: () => randomString(ALPHABETS.alphanumeric, 24),
    minimumCaught: 0.995,
  },
  'alphanumeric, 40 chars': { make: () => randomString(ALPHABETS.alphanumeric, 40), minimumCaught: 1 },
  'lower-case alphanumeric, 26 chars (Mattermost)': {
    make: () => randomString(ALPHABETS['lower-case alphanumeric'], 26),
    minimumCaught: 0.97,
  },
  'upper-case alphanumeric, 32 chars': {
    make: () => randomString(ALPHABETS['upper-case alphanumeric'], 32),
    minimumCaught: 0.98,
  },
  'hex, 32 chars': { make: () => randomString(ALPHABETS.hex, 32), minimumCaught: 0.96 },
  'hex, 64 chars': { make: () => randomString(ALPHABETS.hex, 64), minimumCaught: 1 },
  'standard base64 of 32 bytes': {
    make: () => Buffer.from(randomString(ALPHABETS.alphanumeric, 32)).toString('base64'),
    minimumCaught: 0.999,
  },
};

const SAMPLES = 2_000;

describe('looksLikeToken on realistic corpora', () => {
  it.each(Object.entries(READABLE_SEGMENT_KINDS))('keeps every %s readable', (_kind, make) => {
    const flagged = Array.from({ length: SAMPLES }, make).filter(looksLikeToken);

    expect(flagged).toEqual([]);
  });

  it.each(Object.entries(TOKEN_KINDS))('catches random tokens: %s', (_kind, { make, minimumCaught }) => {
    const caught = Array.from({ length: SAMPLES }, make).filter(looksLikeToken).length / SAMPLES;

    expect(caught).toBeGreaterThanOrEqual(minimumCaught);
  });
});

describe('looksLikeToken on known forms', () => {
  it.each([
    [
      'a JWT',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.'],
    ['a Telegram bot token', '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'],
    ['a GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['a Stripe secret key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['a Slack bot token', 'xoxb-2048-4096-abcdefABCDEF1234'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
  ])('flags %s', (_kind, segment) => {
    expect(looksLikeToken(segment)).toBe(true);
  });

  it.each([
    ['a short word', 'orders'],
    ['a version', 'v1'],
    ['a version with dots', 'v1.2.3-beta.4'],
    ['a number', '1234567890123456789012'],
    ['an e-mail address', 'someone.with.a.long.name@example.com'],
    ['a repeated character', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ['a slug that starts like a token prefix', 'pypi-packaging-guide-for-beginners'],
    ['the redaction marker', '[REDACTED]'],
  ])('keeps %s', (_kind, segment) => {
    expect(looksLikeToken(segment)).toBe(false);
  });
});
