import { cutAtUtf8Boundary } from './utf8-snippet';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('cutAtUtf8Boundary', () => {
  it('returns a buffer within the limit unchanged', () => {
    expect(cutAtUtf8Boundary(utf8('héllo'), 100).toString('utf8')).toBe('héllo');
  });

  it('cuts ASCII exactly at the limit', () => {
    expect(cutAtUtf8Boundary(utf8('abcdef'), 4).toString('utf8')).toBe('abcd');
  });

  it.each([
    ['2-byte', 'aé', 2, 'a'],
    ['3-byte', 'a€', 2, 'a'],
    ['3-byte', 'a€', 3, 'a'],
    ['4-byte', 'a😀', 2, 'a'],
    ['4-byte', 'a😀', 3, 'a'],
    ['4-byte', 'a😀', 4, 'a'],
  ])('drops a %s character the limit would split (%s at %i bytes)', (_kind, text, limit, expected) => {
    expect(cutAtUtf8Boundary(utf8(text), limit).toString('utf8')).toBe(expected);
  });

  it('keeps a multi-byte character that ends exactly at the limit', () => {
    expect(cutAtUtf8Boundary(utf8('a😀b'), 5).toString('utf8')).toBe('a😀');
  });

  it('never produces a replacement character at any cut point', () => {
    const text = 'aé€😀'.repeat(20);
    const bytes = utf8(text);

    for (let limit = 0; limit <= bytes.length; limit++) {
      const decoded = cutAtUtf8Boundary(bytes, limit).toString('utf8');
      expect(decoded).not.toContain('\uFFFD');
      expect(text.startsWith(decoded)).toBe(true);
      expect(Buffer.byteLength(decoded)).toBeGreaterThan(limit - 4);
    }
  });

  it('returns an empty buffer for a zero limit and rejects a negative one', () => {
    expect(cutAtUtf8Boundary(utf8('abc'), 0)).toHaveLength(0);
    expect(() => cutAtUtf8Boundary(utf8('abc'), -1)).toThrow(RangeError);
  });
});
