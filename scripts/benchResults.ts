import type { BenchReport, BenchRow } from './benchReport.js';

/**
 * How one benchmark's run ended. Every status but `ok` fails `pnpm bench`: `no report` means it
 * ran but handed over no report (see bench/README.md), `invalid report` that the report broke the
 * contract or had no rows.
 */
export type BenchStatus = 'ok' | 'no report' | 'invalid report' | 'failed' | 'timed out' | 'missing';

/** One benchmark's run, as `bench/run.ts` records it. */
export interface BenchOutcome {
  /** `context` for `bench/context.bench.ts`. */
  name: string;
  status: BenchStatus;
  durationMs?: number;
  /** What the bench printed, without its report blocks. */
  output: string;
  /** The end of stderr, for failures. */
  errorOutput?: string;
  /** Why the status is not `ok`, in words. */
  problem?: string;
  report?: BenchReport;
}

/** Statuses that make `pnpm bench` exit non-zero. */
export const failingStatuses: ReadonlySet<BenchStatus> = new Set([
  'missing',
  'failed',
  'timed out',
  'no report',
  'invalid report',
]);

/** The charts `bench/charts.png` holds, and what kept any of them out. */
export interface ChartsSummary {
  /** Path relative to `bench/`, when the image was written. */
  image?: string;
  /** e.g. `relay-overhead: bench/relay.bench.ts reported no such chart`. */
  missing: string[];
  /** Why the image could not be rendered at all. */
  error?: string;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function formatNumber(value: number | null, unit?: string): string {
  if (value === null) return '–';
  const rounded =
    Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(4)));
  return unit ? `${rounded} ${unit}` : rounded;
}

function formatMet(met: boolean | null): string {
  if (met === null) return '–';
  return met ? 'yes' : '**no**';
}

function rowsTable(rows: readonly BenchRow[]): string[] {
  return [
    '| figure | value | baseline | ratio | target | met? |',
    '|---|---:|---:|---:|---|:-:|',
    ...rows.map((row) =>
      [
        '',
        cell(row.figure),
        formatNumber(row.value, row.unit),
        formatNumber(row.baseline, row.unit),
        row.ratio === null ? '–' : `${Number(row.ratio.toPrecision(3))}×`,
        row.target === null ? '–' : cell(row.target),
        formatMet(row.met),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ];
}

function statusLine(outcome: BenchOutcome): string {
  if (outcome.status !== 'ok') return outcome.problem ? `${outcome.status}: ${outcome.problem}` : outcome.status;
  const rows = outcome.report?.rows ?? [];
  const targets = rows.filter((row) => row.met !== null);
  const met = targets.filter((row) => row.met).length;
  return `ok: ${rows.length} figures, ${met} of ${targets.length} targets met`;
}

/**
 * `bench/RESULTS.md`: a summary line per benchmark (missing and failed ones included), then a
 * table per benchmark with each figure against its same-run baseline, then the bench's own
 * output folded away, then the charts.
 *
 * @example
 * ```ts
 * writeFileSync('bench/RESULTS.md', renderResults({ outcomes, charts, environment: 'Node v20.20.2, linux x64' }));
 * ```
 */
export function renderResults(input: {
  outcomes: readonly BenchOutcome[];
  charts: ChartsSummary;
  environment: string;
  generatedAt?: Date;
}): string {
  const generatedAt = (input.generatedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench\` (bench/run.ts) at ${generatedAt} on ${input.environment}.`,
    'Every ratio compares with a baseline measured in the same run on the same machine; see bench/README.md.',
    '',
    '| benchmark | status | time |',
    '|---|---|---:|',
    ...input.outcomes.map(
      (outcome) =>
        `| ${outcome.name} | ${cell(statusLine(outcome))} | ${outcome.durationMs === undefined ? '–' : `${(outcome.durationMs / 1000).toFixed(1)} s`} |`,
    ),
  ];

  for (const outcome of input.outcomes) {
    lines.push('', `## ${outcome.name}`, '');
    if (outcome.status === 'missing') {
      lines.push(`Not run: ${outcome.problem ?? `bench/${outcome.name}.bench.ts does not exist`}.`);
      continue;
    }
    if (outcome.report && outcome.report.rows.length > 0) lines.push(...rowsTable(outcome.report.rows), '');
    else if (outcome.status === 'ok' || outcome.status === 'no report') {
      lines.push('No machine-readable figures (see bench/README.md for the report contract).', '');
    }
    if (outcome.status !== 'ok') {
      lines.push(`**${outcome.status}**${outcome.problem ? `: ${outcome.problem}` : ''}`, '');
      if (outcome.errorOutput) lines.push('```text', outcome.errorOutput.trimEnd(), '```', '');
    }
    if (outcome.output) {
      lines.push('<details><summary>Output</summary>', '', outcome.output, '', '</details>');
    }
  }

  lines.push('', '## Charts', '');
  if (input.charts.image) lines.push(`![Benchmark charts](${input.charts.image})`, '');
  if (input.charts.error) lines.push(`The chart image could not be rendered: ${input.charts.error}`, '');
  for (const missing of input.charts.missing) lines.push(`- not drawn: ${missing}`);
  return `${lines.join('\n').trimEnd()}\n`;
}
