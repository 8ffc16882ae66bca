import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { cutAtUtf8Boundary } from './utf8-snippet';

export interface ResponseSnippet {
  readonly text: string;
  readonly encoding: 'utf8' | 'base64';
}

/**
 * Reads at most `limitBytes` of the body, then destroys the stream so a large body is neither
 * downloaded nor buffered. Text stays text (cut on a UTF-8 boundary); a body that is not UTF-8 or
 * holds NUL (binary, gzip) is kept as base64, since it could not be stored as text. Null when empty.
 */
export async function readResponseSnippet(body: Readable, limitBytes: number): Promise<ResponseSnippet | null> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(bytes);
      received += bytes.length;
      if (received >= limitBytes) break;
    }
  } finally {
    // Breaking out of for-await already destroys; this covers a body that ended or failed.
    if (!body.destroyed) body.destroy();
  }
  if (received === 0) return null;
  const head = Buffer.concat(chunks).subarray(0, limitBytes);
  const text = cutAtUtf8Boundary(head, limitBytes);
  // A body cut mid-character still counts as text: only the bytes before the cut are checked.
  if (isUtf8(text) && !text.includes(0) && head.length - text.length < 4)
    return { text: text.toString('utf8'), encoding: 'utf8' };
  return { text: head.toString('base64'), encoding: 'base64' };
}
