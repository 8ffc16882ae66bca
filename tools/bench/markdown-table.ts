import { Summary } from './percentiles';

/** A GitHub markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string {
  const cell = (v: string | number | null | undefined) =>
    v === null || v === undefined ? '–' : String(v).replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** "p50 / p99 / max" of a summary, or a dash when it is empty. */
export const triple = (s: Summary) => (s.count === 0 ? '–' : `${s.p50} / ${s.p99} / ${s.max}`);
