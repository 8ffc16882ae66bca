import { isSensitiveParam } from './credential-names';
import { REDACTED } from './redacted';
import { looksLikeToken } from './token-like-segment';
import { WEBHOOK_PATH_RULES } from './webhook-path-rules';

type Range = readonly [start: number, end: number];

/**
 * Redacts credentials carried in a URL path: the secret parts of known webhook URLs (Slack, Discord,
 * Telegram, Teams, …), any segment that looks like a token, and credential-like `;name=value`
 * path parameters (`;jsessionid=…`). Everything else is kept character for character.
 */
export function redactPathCredentials(host: string, path: string): string {
  const slashed = path.replace(/\\/g, '/');
  return replaceRanges(path, [...webhookSecretRanges(host, slashed), ...tokenLikeRanges(slashed)]);
}

function webhookSecretRanges(host: string, path: string): Range[] {
  const ranges: Range[] = [];
  for (const rule of WEBHOOK_PATH_RULES) {
    if (!rule.host.test(host)) continue;
    const groups = rule.path.exec(path)?.indices?.slice(1) ?? [];
    for (const group of groups) if (group && group[1] > group[0]) ranges.push(group);
  }
  return ranges;
}

function tokenLikeRanges(path: string): Range[] {
  const ranges: Range[] = [];
  let start = 0;
  for (const segment of path.split('/')) {
    const [name, ...params] = segment.split(';');
    if (looksLikeToken(safeDecode(name))) ranges.push([start, start + name.length]);
    let paramStart = start + name.length + 1;
    for (const param of params) {
      const equalsAt = param.indexOf('=');
      if (equalsAt > 0 && isSensitiveParam(param.slice(0, equalsAt)))
        ranges.push([paramStart + equalsAt + 1, paramStart + param.length]);
      paramStart += param.length + 1;
    }
    start += segment.length + 1;
  }
  return ranges;
}

/** Overlapping ranges merge, so one secret becomes one `[REDACTED]` however many rules caught it. */
function replaceRanges(text: string, ranges: Range[]): string {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let result = '';
  let at = 0;
  for (const [start, end] of sorted) {
    if (end <= start || end <= at) continue;
    if (start >= at) result += text.slice(at, start) + REDACTED;
    at = end;
  }
  return result + text.slice(at);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
