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

/** A request header whose value is a credential; `lowerName` is already lower-case. */
export function isSensitiveHeader(lowerName: string): boolean {
  return SENSITIVE_HEADER_NAMES.has(lowerName) || SENSITIVE_HEADER_FRAGMENTS.some((f) => lowerName.includes(f));
}

/** A query, fragment or path (`;name=value`) parameter whose value is a credential; the name may be percent-encoded. */
export function isSensitiveParam(rawName: string): boolean {
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
