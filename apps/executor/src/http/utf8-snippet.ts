/**
 * The first `limit` bytes of `buf`, shortened so that they do not end inside a multi-byte UTF-8
 * character. Bytes that were malformed to begin with are left for the decoder to replace.
 */
export function cutAtUtf8Boundary(buf: Buffer, limit: number): Buffer {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const end = Math.min(buf.length, limit);
  let leadAt = end - 1;
  while (leadAt >= 0 && end - leadAt < 4 && isContinuationByte(buf[leadAt])) leadAt--;
  if (leadAt < 0) return buf.subarray(0, end);
  const complete = end - leadAt >= sequenceLength(buf[leadAt]);
  return buf.subarray(0, complete ? end : leadAt);
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function sequenceLength(leadByte: number): number {
  if ((leadByte & 0xe0) === 0xc0) return 2;
  if ((leadByte & 0xf0) === 0xe0) return 3;
  if ((leadByte & 0xf8) === 0xf0) return 4;
  return 1;
}
