import { RecencyBoundedMap } from './recency-bounded-map';

describe('RecencyBoundedMap', () => {
  it('lets the entry set longest ago go first when the count is over', () => {
    const map = new RecencyBoundedMap<number>(2);
    map.set('a', 1);
    map.set('b', 1);
    map.set('a', 2);
    map.set('c', 1);
    expect(['a', 'b', 'c'].map((k) => map.get(k))).toEqual([2, undefined, 1]);
    expect(map.size).toBe(2);
  });

  it('bounds the total weight: one heavy entry pushes out as many light ones as it must, and one heavier than the room is not kept', () => {
    const map = new RecencyBoundedMap<string>(10);
    for (const k of ['a', 'b', 'c']) map.set(k, k, 3);
    map.set('d', 'd', 6);
    expect(['a', 'b', 'c', 'd'].map((k) => map.get(k))).toEqual([undefined, undefined, 'c', 'd']);
    map.set('e', 'e', 11);
    expect(map.get('e')).toBeUndefined();
    expect(map.size).toBe(0);
    map.set('f', 'f', 10);
    expect(map.get('f')).toBe('f');
  });

  it('gives back the weight of what it deletes or replaces', () => {
    const map = new RecencyBoundedMap<string>(4);
    map.set('a', 'a', 4);
    map.set('a', 'a2', 2);
    map.set('b', 'b', 2);
    map.delete('a');
    map.set('c', 'c', 2);
    expect(['a', 'b', 'c'].map((k) => map.get(k))).toEqual([undefined, 'b', 'c']);
  });
});
