import { cutByBytes } from './produce-batches';

const rows = (...sizes: number[]) => sizes.map((bytes, i) => ({ id: i + 1, bytes }));
const ids = (requests: { id: number }[][]) => requests.map((r) => r.map((row) => row.id));

describe('cutByBytes', () => {
  it('makes no request for no rows', () => {
    expect(cutByBytes([], 100)).toEqual([]);
  });

  it('keeps rows that fit together in one request', () => {
    expect(ids(cutByBytes(rows(10, 20, 30), 100))).toEqual([[1, 2, 3]]);
  });

  it('fills a request up to exactly maxBytes', () => {
    expect(ids(cutByBytes(rows(40, 60, 1), 100))).toEqual([[1, 2], [3]]);
  });

  it('cuts before the row that would exceed maxBytes, keeping id order across requests', () => {
    const cut = cutByBytes(rows(30, 30, 30, 30, 30, 30, 30), 100);
    expect(ids(cut)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(cut.every((request) => request.reduce((sum, r) => sum + r.bytes, 0) <= 100)).toBe(true);
  });

  it('sends a row larger than maxBytes alone, without holding back the rows around it', () => {
    expect(ids(cutByBytes(rows(10, 500, 10, 10), 100))).toEqual([[1], [2], [3, 4]]);
    expect(ids(cutByBytes(rows(500), 100))).toEqual([[1]]);
    expect(ids(cutByBytes(rows(500, 600), 100))).toEqual([[1], [2]]);
  });

  it('never loses or duplicates a row', () => {
    const sizes = Array.from({ length: 200 }, (_, i) => ((i * 37) % 90) + 1);
    const cut = cutByBytes(rows(...sizes), 250);
    expect(cut.flat().map((r) => r.id)).toEqual(sizes.map((_, i) => i + 1));
  });
});
