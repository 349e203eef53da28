import { describe, expect, it } from 'vitest';
import { parseBenchReport, reportFromOutput, withoutReportBlocks } from './benchReport.js';

const row = { figure: 'p50 overhead', value: 0.4, unit: 'ms', baseline: 2, ratio: 0.2, target: '≤ 1 ms', met: true };

describe('bench reports', () => {
  it('collects every fenced report block of the output, in order', () => {
    const output = [
      '| human | table |',
      '```json bench-report',
      JSON.stringify({ rows: [row] }),
      '```',
      'more text',
      '```json bench-report',
      JSON.stringify({
        rows: [{ ...row, figure: 'p99 overhead', target: null, met: null }],
        charts: [
          { id: 'relay-overhead', title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'p50', points: [[1, 2]] }] },
        ],
      }),
      '```',
    ].join('\n');
    const report = reportFromOutput(output);
    expect(report?.rows.map((entry) => entry.figure)).toEqual(['p50 overhead', 'p99 overhead']);
    expect(report?.charts?.[0]?.series[0]?.points).toEqual([[1, 2]]);
    expect(withoutReportBlocks(output)).toBe('| human | table |\n\nmore text');
  });

  it('finds no report in plain output', () => {
    expect(reportFromOutput('| a | b |\n```ts\nconst x = 1;\n```')).toBeUndefined();
  });

  it('names the field that breaks the contract', () => {
    expect(() => parseBenchReport({ rows: [{ ...row, value: 'fast' }] })).toThrow(
      'rows[0].value: expected a finite number',
    );
    expect(() => parseBenchReport({ rows: [{ ...row, met: 'yes' }] })).toThrow('rows[0].met');
    expect(() =>
      parseBenchReport({
        rows: [],
        charts: [{ id: 'a', title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[1]] }] }],
      }),
    ).toThrow('charts[0].series[0].points[0]');
    expect(() => parseBenchReport([])).toThrow('rows: expected an array');
  });
});
