import type { Readable } from 'node:stream';
import { cutAtUtf8Boundary } from './utf8-snippet';

/**
 * Reads at most `limitBytes` of the body, then destroys the stream so a large body is neither
 * downloaded nor buffered. Null when the body is empty.
 */
export async function readResponseSnippet(body: Readable, limitBytes: number): Promise<string | null> {
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
  return cutAtUtf8Boundary(Buffer.concat(chunks), limitBytes).toString('utf8');
}
