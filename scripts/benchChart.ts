import type { BenchChart } from './benchReport.js';

const width = 640;
const height = 360;
const margin = { top: 40, right: 170, bottom: 48, left: 64 };
const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * Round tick steps (1, 2 or 5 times a power of ten), so axes read 0, 250, 500 rather than 0, 237, 474.
 * With `cover`, the last tick is at or above `maximum`, so the top grid line frames the curves.
 */
function ticks(minimum: number, maximum: number, cover = false, count = 5): number[] {
  if (minimum === maximum) return [minimum];
  const rough = (maximum - minimum) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const values: number[] = [];
  const last = cover ? Math.ceil(maximum / step) * step : maximum;
  for (let value = Math.ceil(minimum / step) * step; value <= last + step / 1e6; value += step) {
    values.push(Number(value.toPrecision(12)));
  }
  return values;
}

function formatTick(value: number): string {
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toPrecision(4))}k`;
  return String(Number(value.toPrecision(4)));
}

/**
 * A self-contained SVG line chart: axes with round ticks, one polyline with markers per series,
 * a legend. A chart with no points says so instead of drawing empty axes.
 *
 * @example
 * ```ts
 * const svg = renderLineChart({ id: 'x', title: 'Tokens', xLabel: 'turn', yLabel: 'tokens', series: [] });
 * ```
 */
export function renderLineChart(chart: BenchChart, note?: string): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const points = chart.series.flatMap((series) => series.points);
  const header = (panelHeight: number) => [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panelHeight}" viewBox="0 0 ${width} ${panelHeight}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${panelHeight}" fill="#fff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="600">${escapeXml(chart.title)}</text>`,
  ];
  if (points.length === 0) {
    const emptyHeight = 96;
    return [
      ...header(emptyHeight),
      `<text x="${margin.left}" y="60" fill="#6b7280">${escapeXml(note ?? 'no data')}</text>`,
      '</svg>',
    ].join('');
  }
  const parts = header(height);

  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const xTicks = ticks(Math.min(...xs), Math.max(...xs));
  const yTicks = ticks(Math.min(0, ...ys), Math.max(...ys), true);
  const xMin = Math.min(...xs, xTicks[0]!);
  const xMax = Math.max(...xs, xTicks.at(-1)!);
  const yMin = Math.min(0, ...ys, yTicks[0]!);
  const yMax = Math.max(...ys, yTicks.at(-1)!);
  const scaleX = (x: number) =>
    margin.left + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const scaleY = (y: number) =>
    margin.top + plotHeight - (yMax === yMin ? plotHeight / 2 : ((y - yMin) / (yMax - yMin)) * plotHeight);
  const bottom = margin.top + plotHeight;

  for (const y of yTicks) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${scaleY(y)}" y2="${scaleY(y)}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${scaleY(y) + 4}" text-anchor="end" fill="#374151">${formatTick(y)}</text>`,
    );
  }
  for (const x of xTicks) {
    parts.push(
      `<line x1="${scaleX(x)}" x2="${scaleX(x)}" y1="${bottom}" y2="${bottom + 5}" stroke="#374151"/>`,
      `<text x="${scaleX(x)}" y="${bottom + 18}" text-anchor="middle" fill="#374151">${formatTick(x)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#374151"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${bottom}" stroke="#374151"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );

  chart.series.forEach((series, index) => {
    const color = palette[index % palette.length]!;
    const sorted = [...series.points].sort(([a], [b]) => a - b);
    const path = sorted.map(([x, y]) => `${scaleX(x).toFixed(1)},${scaleY(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
    for (const [x, y] of sorted) {
      parts.push(`<circle cx="${scaleX(x).toFixed(1)}" cy="${scaleY(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const legendY = margin.top + 8 + index * 20;
    const legendX = margin.left + plotWidth + 16;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${legendX + 24}" y="${legendY + 4}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * An HTML page that stacks the charts, for Chromium to screenshot.
 *
 * @example
 * ```ts
 * await page.setContent(chartsPage([renderLineChart(chart)]));
 * ```
 */
export function chartsPage(svgs: readonly string[]): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8"><style>',
    'body{margin:0;background:#fff}#charts{display:inline-flex;flex-direction:column;gap:8px;padding:8px}',
    '</style></head><body><div id="charts">',
    ...svgs,
    '</div></body></html>',
  ].join('');
}
