import { lineChartSvg } from './svg-line-chart';
import { niceCeiling, stackedBarsSvg } from './svg-stacked-bars';

describe('lineChartSvg', () => {
  const svg = lineChartSvg({
    title: 'p99 <submit → target>',
    xLabel: 'offered calls/s',
    yLabel: 'ms',
    series: [
      {
        name: 'scheduler',
        points: [
          [50, 120],
          [100, 300],
          [200, null],
        ],
      },
      {
        name: 'pg-boss',
        points: [
          [50, 2_100],
          [100, 2_400],
        ],
      },
    ],
    threshold: { y: 1_000, label: '1 s' },
  });

  it('is an SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('p99 &lt;submit → target&gt;');
  });

  it('draws a point per figure, leaves out missing ones, and a legend per series', () => {
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain('>scheduler</text>');
    expect(svg).toContain('>pg-boss</text>');
    expect(svg).toContain('stroke-dasharray');
  });
});

describe('stackedBarsSvg', () => {
  const svg = stackedBarsSvg({
    title: 'CPU ms per call',
    yLabel: 'ms',
    bars: [
      { label: 'scheduler', parts: { gateway: 2, postgres: 3 } },
      { label: 'pg-boss', parts: { worker: 1, postgres: 1.5 } },
    ],
  });

  it('stacks one rectangle per non-zero part and writes the totals', () => {
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
    expect(svg).toContain('>5</text>');
    expect(svg).toContain('>2.5</text>');
  });

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(3.2)).toBe(5);
    expect(niceCeiling(120)).toBe(200);
    expect(niceCeiling(10)).toBe(10);
  });
});
