/** A row ready to produce, with its encoded size. */
export interface SizedRow {
  readonly bytes: number;
}

/**
 * Cuts rows (in id order) into produce requests no larger than maxBytes, so no request can exceed
 * the broker's maximum batch size. A row larger than maxBytes travels alone.
 */
export function cutByBytes<T extends SizedRow>(rows: readonly T[], maxBytes: number): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const row of rows) {
    if (current.length > 0 && size + row.bytes > maxBytes) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += row.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
