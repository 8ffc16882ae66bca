import type { RedactedTarget, TargetRequest } from '../contracts/service-call-target';

export const REDACTED = '[REDACTED]';

const SENSITIVE_HEADER_NAMES = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
]);
const SENSITIVE_HEADER_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'signature',
  'api-key',
  'apikey',
  'session',
  'credential',
  'auth',
];

const SENSITIVE_PARAM_NAMES = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'key',
  'api_key',
  'apikey',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'pwd',
  'signature',
  'sig',
  'auth',
  'code',
  'session',
  'sid',
  'jwt',
  'assertion',
  'client_assertion',
]);
const SENSITIVE_PARAM_FRAGMENTS = ['token', 'secret', 'password', 'passwd', 'signature', 'key', 'session', 'credential'];

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowerName = name.toLowerCase();
    redacted[lowerName] = isSensitiveHeader(lowerName) ? REDACTED : value;
  }
  return redacted;
}

/**
 * Works on the string rather than through `URL`, so that everything but the secrets is left exactly
 * as submitted (no re-encoding) and `[REDACTED]` stays readable.
 */
export function redactUrl(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? null : url.slice(hashAt + 1);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? null : beforeHash.slice(queryAt + 1);

  let result = redactUserinfo(base);
  if (query !== null) result += `?${redactParams(query)}`;
  // OAuth implicit flows put tokens in the fragment.
  if (fragment !== null) result += `#${redactParams(fragment)}`;
  return result;
}

export function redactTarget(target: TargetRequest): RedactedTarget {
  return { method: target.method, url: redactUrl(target.url), headers: redactHeaders(target.headers) };
}

function isSensitiveHeader(lowerName: string): boolean {
  return SENSITIVE_HEADER_NAMES.has(lowerName) || SENSITIVE_HEADER_FRAGMENTS.some((f) => lowerName.includes(f));
}

function isSensitiveParam(rawName: string): boolean {
  const name = decodeParamName(rawName).toLowerCase();
  return SENSITIVE_PARAM_NAMES.has(name) || SENSITIVE_PARAM_FRAGMENTS.some((f) => name.includes(f));
}

function decodeParamName(rawName: string): string {
  const spaced = rawName.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const equalsAt = pair.indexOf('=');
      if (equalsAt === -1) return pair;
      const name = pair.slice(0, equalsAt);
      return isSensitiveParam(name) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/** `scheme://user:pass@host` → `scheme://[REDACTED]@host`; the authority ends at the first `/`, `\`, `?` or `#`. */
function redactUserinfo(base: string): string {
  const schemeEnd = base.indexOf('//');
  if (schemeEnd === -1) return base;
  const authorityStart = schemeEnd + 2;
  const rest = base.slice(authorityStart);
  const authorityEnd = rest.search(/[/\\]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const atIndex = authority.lastIndexOf('@');
  if (atIndex === -1) return base;
  return `${base.slice(0, authorityStart)}${REDACTED}${rest.slice(atIndex)}`;
}
