import type { RedactedTarget, TargetRequest } from '../contracts/service-call-target';
import { isSensitiveHeader, isSensitiveParam } from './credential-names';
import { REDACTED } from './redacted';
import { redactPathCredentials } from './url-path-redaction';

export { REDACTED } from './redacted';

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

  const { origin, host, path } = splitBase(base);
  let result = redactUserinfo(origin) + redactPathCredentials(host, path);
  if (query !== null) result += `?${redactParams(query)}`;
  // OAuth implicit flows put tokens in the fragment.
  if (fragment !== null) result += `#${redactParams(fragment)}`;
  return result;
}

export function redactTarget(target: TargetRequest): RedactedTarget {
  return { method: target.method, url: redactUrl(target.url), headers: redactHeaders(target.headers) };
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

/** `scheme://authority` and the path after it; the authority ends at the first slash or backslash. */
function splitBase(base: string): { origin: string; host: string; path: string } {
  const schemeEnd = base.indexOf('//');
  if (schemeEnd === -1) return { origin: '', host: '', path: base };
  const authorityStart = schemeEnd + 2;
  const authorityLength = base.slice(authorityStart).search(/[/\\]/);
  const originEnd = authorityLength === -1 ? base.length : authorityStart + authorityLength;
  const authority = base.slice(authorityStart, originEnd);
  const host = authority
    .slice(authority.lastIndexOf('@') + 1)
    .replace(/:\d*$/, '')
    .replace(/\.$/, '')
    .toLowerCase();
  return { origin: base.slice(0, originEnd), host, path: base.slice(originEnd) };
}

/** `scheme://user:pass@host` → `scheme://[REDACTED]@host`. */
function redactUserinfo(origin: string): string {
  const authorityStart = origin.indexOf('//') + 2;
  const atIndex = origin.lastIndexOf('@');
  if (authorityStart < 2 || atIndex < authorityStart) return origin;
  return `${origin.slice(0, authorityStart)}${REDACTED}${origin.slice(atIndex)}`;
}
