import { colour, escapeXml, fmt } from './svg-text';

export interface StackedBar {
  readonly label: string;
  /** Part name → value; parts missing from a bar count as 0. */
  readonly parts: Readonly<Record<string, number>>;
}

export interface StackedBarChart {
  readonly title: string;
  readonly yLabel: string;
  readonly bars: readonly StackedBar[];
}

const W = 760;
const H = 420;
const M = { left: 70, right: 190, top: 40, bottom: 70 };

/** Vertical bars, each stacked from its parts in a fixed order, with the total written on top. */
export function stackedBarsSvg(c: StackedBarChart): string {
  const partNames = [...new Set(c.bars.flatMap((b) => Object.keys(b.parts)))];
  const totals = c.bars.map((b) => partNames.reduce((s, p) => s + (b.parts[p] ?? 0), 0));
  const max = niceCeiling(Math.max(1, ...totals));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, c.bars.length);
  const barW = Math.min(70, slot * 0.6);
  const yAt = (v: number) => M.top + plotH - (v / max) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(c.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${yAt(v)}" y2="${yAt(v)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${yAt(v) + 4}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  out.push(
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`,
  );
  c.bars.forEach((b, i) => {
    const x = M.left + slot * i + (slot - barW) / 2;
    let base = 0;
    partNames.forEach((p, j) => {
      const v = b.parts[p] ?? 0;
      if (v <= 0) return;
      out.push(
        `<rect x="${x}" y="${yAt(base + v)}" width="${barW}" height="${yAt(base) - yAt(base + v)}" fill="${colour(j)}"><title>${escapeXml(`${b.label} ${p}: ${fmt(v)}`)}</title></rect>`,
      );
      base += v;
    });
    out.push(`<text x="${x + barW / 2}" y="${yAt(totals[i]) - 5}" text-anchor="middle">${fmt(totals[i])}</text>`);
    // Labels such as "graphile-worker tuned" go on two lines so neighbours do not overlap.
    const words = b.label.split(' ');
    const lines = words.length > 1 ? [words.slice(0, -1).join(' '), words[words.length - 1]] : words;
    lines.forEach((line, k) =>
      out.push(
        `<text x="${x + barW / 2}" y="${M.top + plotH + 16 + k * 14}" text-anchor="middle" font-size="11">${escapeXml(line)}</text>`,
      ),
    );
  });
  out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  partNames.forEach((p, j) => {
    const ly = M.top + 10 + j * 18;
    out.push(
      `<rect x="${W - M.right + 14}" y="${ly - 9}" width="12" height="12" fill="${colour(j)}"/>`,
      `<text x="${W - M.right + 32}" y="${ly + 1}">${escapeXml(p)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** 1, 2 or 5 times a power of ten, at or above `v`. */
export function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((n) => n >= v)!;
}
