import { InvalidRequestError } from './invalid-request.error';
import { decodeCursor, encodeCursor } from './list-cursor';

describe('list cursor', () => {
  it('round-trips a keyset position', () => {
    const at = { createdAt: '2026-11-25T08:00:00.123Z', id: '0b4a3f50-1f0e-4b53-9a35-4f3f0b9f2a11' };
    expect(decodeCursor(encodeCursor(at))).toEqual(at);
  });

  it.each([
    '',
    'garbage',
    Buffer.from('["not a date","x"]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ])('rejects %j as a 400', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidRequestError);
  });
});
