import { colour, escapeXml, fmt } from './svg-text';

export interface LineSeries {
  readonly name: string;
  /** [x, y]; y null where there is no figure (the point is left out). */
  readonly points: readonly (readonly [number, number | null])[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** A dashed horizontal line, e.g. the 1 s p99 limit. */
  readonly threshold?: { readonly y: number; readonly label: string };
}

const W = 760;
const H = 420;
const M = { left: 70, right: 190, top: 40, bottom: 50 };

/**
 * A line chart with the x values as evenly spaced categories (the offered rates) and a log-10
 * y axis, since latencies range from milliseconds to tens of seconds.
 */
export function lineChartSvg(c: LineChart): string {
  const xs = [...new Set(c.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = c.series.flatMap((s) => s.points.flatMap(([, y]) => (y !== null && y > 0 ? [y] : [])));
  if (c.threshold) ys.push(c.threshold.y);
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...(ys.length ? ys : [1])))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...(ys.length ? ys : [10])))));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const xAt = (x: number) => M.left + (xs.length <= 1 ? plotW / 2 : (xs.indexOf(x) * plotW) / (xs.length - 1));
  const yAt = (y: number) => M.top + plotH - ((Math.log10(Math.max(y, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(c.title)}</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const y = yAt(10 ** p);
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(10 ** p)}</text>`,
    );
  }
  for (const x of xs) out.push(`<text x="${xAt(x)}" y="${M.top + plotH + 18}" text-anchor="middle">${fmt(x)}</text>`);
  out.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`,
  );
  if (c.threshold) {
    const y = yAt(c.threshold.y);
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${M.left + plotW - 4}" y="${y - 5}" text-anchor="end" fill="#c00">${escapeXml(c.threshold.label)}</text>`,
    );
  }
  c.series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => y !== null) as [number, number][];
    if (pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${colour(i)}" stroke-width="2" points="${pts.map(([x, y]) => `${xAt(x)},${yAt(y)}`).join(' ')}"/>`,
      );
    for (const [x, y] of pts)
      out.push(
        `<circle cx="${xAt(x)}" cy="${yAt(y)}" r="3.5" fill="${colour(i)}"><title>${escapeXml(`${s.name}: ${fmt(x)} → ${fmt(y)}`)}</title></circle>`,
      );
    const ly = M.top + 10 + i * 18;
    out.push(
      `<rect x="${W - M.right + 14}" y="${ly - 9}" width="12" height="12" fill="${colour(i)}"/>`,
      `<text x="${W - M.right + 32}" y="${ly + 1}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
