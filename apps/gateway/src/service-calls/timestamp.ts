import { isRFC3339 } from 'class-validator';

const PARTS = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})/;

/**
 * RFC 3339 naming an instant that exists. IsRFC3339 alone lets `2026-02-30`, second 60 and year 0
 * through, which Date silently shifts or throws on, and Postgres refuses (a 500 instead of a 400).
 */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !isRFC3339(value)) return false;
  const [, y, mo, d, h, mi, s] = (PARTS.exec(value) ?? []).map(Number);
  if (!y) return false;
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !isLeapYear(y) ? 1 : 0);
  return (
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h <= 23 && mi <= 59 && s <= 59 && !Number.isNaN(Date.parse(value))
  );
}

const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
