import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('is the same whatever the key order, and differs when a value differs', () => {
    const a = canonicalJson({ target: { url: 'u', method: 'POST', headers: { b: '2', a: '1' } }, tags: ['x', 'y'] });
    const b = canonicalJson({ tags: ['x', 'y'], target: { headers: { a: '1', b: '2' }, method: 'POST', url: 'u' } });
    expect(a).toBe(b);
    expect(canonicalJson({ tags: ['y', 'x'] })).not.toBe(canonicalJson({ tags: ['x', 'y'] }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
