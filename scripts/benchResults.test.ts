import { describe, expect, it } from 'vitest';
import { renderLineChart } from './benchChart.js';
import { type BenchOutcome, renderResults } from './benchResults.js';

const outcomes: BenchOutcome[] = [
  {
    name: 'context',
    status: 'ok',
    durationMs: 12_345,
    output: '| turn | tokens |',
    report: {
      rows: [
        {
          figure: 'tokens at turn 10',
          value: 3120,
          unit: 'tokens',
          baseline: 14_880,
          ratio: 0.2097,
          target: '≤ 0.25',
          met: true,
        },
        {
          figure: 'build | 50 snippets',
          value: 6.2,
          unit: 'ms',
          baseline: 1.1,
          ratio: 5.64,
          target: '≤ 5 ms',
          met: false,
        },
      ],
    },
  },
  {
    name: 'sandbox',
    status: 'failed',
    durationMs: 800,
    output: '',
    errorOutput: 'Error: bwrap missing',
    problem: 'exit code 1',
  },
  { name: 'relay', status: 'missing', output: '', problem: 'bench/relay.bench.ts does not exist' },
];

describe('renderResults', () => {
  const markdown = renderResults({
    outcomes,
    charts: { image: 'charts.png', missing: ['relay-overhead: bench/relay.bench.ts does not exist'] },
    environment: 'Node v20, linux x64',
    generatedAt: new Date('2025-01-02T03:04:05.678Z'),
  });

  it('lists every benchmark, failed and missing ones included', () => {
    expect(markdown).toContain('| context | ok: 2 figures, 1 of 2 targets met | 12.3 s |');
    expect(markdown).toContain('| sandbox | failed: exit code 1 | 0.8 s |');
    expect(markdown).toContain('| relay | missing: bench/relay.bench.ts does not exist | – |');
    expect(markdown).toContain('Error: bwrap missing');
    expect(markdown).toContain('2025-01-02T03:04:05Z');
  });

  it('writes one row per figure with its same-run baseline and ratio', () => {
    expect(markdown).toContain('| tokens at turn 10 | 3,120 tokens | 14,880 tokens | 0.21× | ≤ 0.25 | yes |');
    expect(markdown).toContain('| build \\| 50 snippets | 6.2 ms | 1.1 ms | 5.64× | ≤ 5 ms | **no** |');
    expect(markdown).toContain('![Benchmark charts](charts.png)');
    expect(markdown).toContain('- not drawn: relay-overhead: bench/relay.bench.ts does not exist');
  });
});

describe('renderLineChart', () => {
  it('draws one polyline per series through the scaled points, with a legend', () => {
    const svg = renderLineChart({
      id: 'tokens-per-turn',
      title: 'Tokens <per> turn',
      xLabel: 'turn',
      yLabel: 'tokens',
      series: [
        {
          name: 'naive',
          points: [
            [1, 0],
            [2, 100],
          ],
        },
        {
          name: 'buildPrompt',
          points: [
            [2, 50],
            [1, 0],
          ],
        },
      ],
    });
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('Tokens &#60;per&#62; turn');
    expect(svg).toContain('>buildPrompt</text>');
    // x 1..2 spans the plot's 406 px from x=64; y 0..100 spans 272 px up from y=312.
    expect(svg).toContain('points="64.0,312.0 470.0,40.0"');
    expect(svg).toContain('points="64.0,312.0 470.0,176.0"');
  });

  it('says why a chart has no data instead of drawing empty axes', () => {
    const svg = renderLineChart(
      { id: 'relay-overhead', title: 'relay', xLabel: '', yLabel: '', series: [] },
      'no data: missing',
    );
    expect(svg).toContain('no data: missing');
    expect(svg).not.toContain('<polyline');
  });
});
