/*
 * Thresholds were chosen on corpora of random tokens and of realistic path ids, measured by
 * token-like-segment.spec.ts (docs/decisions/ADR-0008 has the figures). In a random mixed-case
 * token the runs a reader would take for words (`Ab`, `x`, `42`) average about 1.9 characters, in
 * camelCase names and slugs 4 and more; one-case tokens (`9xuqwrwg…`) only alternate letters and
 * digits, about 2.4 on average, so they get a looser bound. Hex counts from 32 digits (128 bits) so
 * 24-digit ObjectIds stay readable.
 */
const MIN_TOKEN_LENGTH = 20;
const MIN_HEX_TOKEN_LENGTH = 32;
const MAX_MEAN_RUN_MIXED_CASE = 3.5;
const MAX_MEAN_RUN_ONE_CASE = 5;
const MIN_ENTROPY_BITS_PER_CHAR = 3;
/** Hex has 16 symbols, so its entropy tops out at 4 bits: 2.5 still rules out `000…0001`-like strings. */
const MIN_HEX_ENTROPY_BITS_PER_CHAR = 2.5;

const TOKEN_CHARS = /^[A-Za-z0-9_\-+/=]+$/;
const HEX = /^[0-9a-fA-F]+$/;
const DIGITS = /^\d+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A UUID v4 or v7 written without hyphens (Notion and others use them as ids); costs 1 in 32 random 32-hex tokens. */
const COMPACT_UUID = /^[0-9a-fA-F]{12}[47][0-9a-fA-F]{3}[89abAB][0-9a-fA-F]{15}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Prefixed object ids such as Stripe's `pi_3MtwBwLkdIwHu7ix28a3tqPa`: ids in REST paths, not secrets. */
const TYPED_ID = /^[a-z]{2,6}_[A-Za-z0-9]{8,24}$/;
/** Words joined by - or _, each in one case or Capitalised, or numbers: `invoice-2026-11-25-final`. */
const SLUG = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+|\d+)(?:[-_](?:[a-z]+|[A-Z]+|[A-Z][a-z]+|\d+))+$/;
const JWT = /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/;
const TELEGRAM_BOT_TOKEN = /^\d{5,12}:[A-Za-z0-9_-]{30,}$/;
/** Well-known credential prefixes (GitHub, GitLab, Slack, Stripe, npm, PyPI, AWS access key ids). */
const KNOWN_CREDENTIAL =
  /^(?:gh[pousr]_|github_pat_|glpat-|xox[abposr]-|xapp-|[sr]k_(?:live|test)_|whsec_|npm_|pypi-|AKIA|ASIA)[A-Za-z0-9_-]{16,}$/;
const RUNS = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g;

/** Whether a (percent-decoded) path segment looks like a credential rather than an id, word, number, date or slug. */
export function looksLikeToken(segment: string): boolean {
  if (JWT.test(segment) || TELEGRAM_BOT_TOKEN.test(segment)) return true;
  if (KNOWN_CREDENTIAL.test(segment) && !SLUG.test(segment)) return true;
  if (segment.length < MIN_TOKEN_LENGTH || !TOKEN_CHARS.test(segment)) return false;
  if ([DIGITS, UUID, COMPACT_UUID, ULID, TYPED_ID, SLUG].some((readable) => readable.test(segment))) return false;
  if (HEX.test(segment))
    return segment.length >= MIN_HEX_TOKEN_LENGTH && entropyBitsPerChar(segment) >= MIN_HEX_ENTROPY_BITS_PER_CHAR;
  if (entropyBitsPerChar(segment) < MIN_ENTROPY_BITS_PER_CHAR) return false;
  const lower = /[a-z]/.test(segment);
  const upper = /[A-Z]/.test(segment);
  const digit = /\d/.test(segment);
  if (lower && upper) return meanRunLength(segment) <= MAX_MEAN_RUN_MIXED_CASE;
  return (lower || upper) && digit && meanRunLength(segment) <= MAX_MEAN_RUN_ONE_CASE;
}

/** Shannon entropy of the segment's own character distribution. */
export function entropyBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** Average length of the runs a word reader would see: `getUserById42` → get, User, By, Id, 42. */
export function meanRunLength(text: string): number {
  const runs = text.match(RUNS) ?? [];
  const chars = runs.reduce((sum, run) => sum + run.length, 0);
  return runs.length === 0 ? 0 : chars / runs.length;
}
