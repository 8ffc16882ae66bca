import { InvalidRequestError } from './invalid-request.error';
import { isTimestamp } from './timestamp';

export interface ListPosition {
  readonly createdAt: string;
  readonly id: string;
}

/** Keyset position (createdAt, id) of the last row of a page, opaque to clients. */
export const encodeCursor = (p: ListPosition): string =>
  Buffer.from(JSON.stringify([p.createdAt, p.id])).toString('base64url');

export function decodeCursor(cursor: string): ListPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (isTimestamp(createdAt) && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor', 'cursor is not one this API issued');
}
