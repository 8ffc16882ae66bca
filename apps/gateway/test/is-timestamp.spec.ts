import { isTimestamp } from '../src/http/is-timestamp';

describe('isTimestamp', () => {
  it.each([
    '2026-11-23T10:00:00Z',
    '2026-11-23T10:00:00.123456Z',
    '2026-11-23T10:00:00+02:00',
    '2028-02-29T00:00:00Z',
    '2000-02-29T23:59:59Z',
    '0001-01-01T00:00:00Z',
  ])('accepts %s', (value) => expect(isTimestamp(value)).toBe(true));

  it.each([
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:00:60Z',
    '0000-01-01T00:00:00Z',
    '2026-11-23T10:00:00',
    '2026-11-23',
    'tomorrow',
    '',
    42,
    null,
  ])('refuses %s', (value) => expect(isTimestamp(value)).toBe(false));
});
