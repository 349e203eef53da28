import { writeFileSync } from 'node:fs';

/**
 * One measured figure of a benchmark, compared with a baseline measured in the same run.
 *
 * @example
 * ```ts
 * const row: BenchRow = {
 *   figure: 'input tokens at turn 10', value: 3120, unit: 'tokens',
 *   baseline: 14880, ratio: 0.21, target: '≤ 0.25 of resending the history', met: true,
 * };
 * ```
 */
export interface BenchRow {
  /** What was measured, e.g. `p50 relay overhead, 64 streams`. */
  figure: string;
  value: number;
  /** e.g. `ms`, `tokens`, `ms/build`. */
  unit?: string;
  /** The same figure for the baseline, measured in the same run; `null` when the figure has none. */
  baseline: number | null;
  /** `value / baseline`, or whichever ratio `target` is stated in; `null` without a baseline. */
  ratio: number | null;
  /** The target in words, e.g. `≤ 0.25` or `< 5 ms`; `null` when the figure only informs. */
  target: string | null;
  /** Whether the target was met; `null` when there is no target. */
  met: boolean | null;
}

/**
 * One curve of a chart: points in x order.
 *
 * @example
 * ```ts
 * const series: BenchSeries = { name: 'naive history', points: [[1, 900], [2, 1800], [3, 2700]] };
 * ```
 */
export interface BenchSeries {
  name: string;
  points: Array<[x: number, y: number]>;
}

/**
 * A line chart a benchmark asks `pnpm bench` to draw into `bench/charts.png`.
 *
 * @example
 * ```ts
 * const chart: BenchChart = {
 *   id: 'tokens-per-turn', title: 'Input tokens per turn', xLabel: 'turn', yLabel: 'input tokens',
 *   series: [{ name: 'buildPrompt', points: [[1, 800], [2, 1100]] }],
 * };
 * ```
 */
export interface BenchChart {
  /** Stable id; `relay-overhead` and `tokens-per-turn` are the charts `pnpm bench` expects. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: BenchSeries[];
}

/**
 * What a benchmark reports to `pnpm bench`, next to the human-readable table it prints.
 *
 * @example
 * ```ts
 * const report: BenchReport = { rows: [row], charts: [chart] };
 * ```
 */
export interface BenchReport {
  rows: BenchRow[];
  charts?: BenchChart[];
}

/** The environment variable `pnpm bench` sets to the file a benchmark may write its report to. */
export const benchReportPathVariable = 'FRAGMENTKIT_BENCH_REPORT';

/**
 * The environment variable `pnpm bench --smoke` (and the tooling test) sets to `1`: the benchmark
 * runs a few iterations only, to prove it still runs and reports, not to measure.
 */
export const benchSmokeVariable = 'BENCH_SMOKE';

/**
 * Whether this benchmark runs as a smoke run (see {@link benchSmokeVariable}).
 *
 * @example
 * ```ts
 * const runs = isBenchSmokeRun() ? 2 : 100;
 * ```
 */
export function isBenchSmokeRun(): boolean {
  return process.env[benchSmokeVariable] === '1';
}

/** The info string of the fenced block a benchmark may print its report in instead. */
export const benchReportFence = 'json bench-report';

/**
 * Hands a benchmark's report to `pnpm bench`: written to the file `FRAGMENTKIT_BENCH_REPORT`
 * names when the runner set it, printed as a fenced `json bench-report` block otherwise (so a
 * bench run by hand shows it too). Call it once, after printing the human table.
 *
 * @example
 * ```ts
 * import { reportBench } from '../scripts/benchReport.js';
 *
 * reportBench({ rows: [{ figure: 'p50 overhead', value: 0.4, unit: 'ms', baseline: 2.1, ratio: 0.19, target: '≤ 1 ms', met: true }] });
 * ```
 */
export function reportBench(report: BenchReport): void {
  const checked = parseBenchReport(report);
  const path = process.env[benchReportPathVariable];
  if (path) writeFileSync(path, `${JSON.stringify(checked, null, 2)}\n`);
  else console.log(`\n\`\`\`${benchReportFence}\n${JSON.stringify(checked)}\n\`\`\``);
}

function fail(where: string, problem: string): never {
  throw new Error(`Invalid bench report at ${where}: ${problem}. See bench/README.md for the contract.`);
}

function nullableNumber(value: unknown, where: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, 'expected a finite number or null');
  return value;
}

function parseRow(value: unknown, where: string): BenchRow {
  if (typeof value !== 'object' || value === null) fail(where, 'expected an object');
  const row = value as Record<string, unknown>;
  if (typeof row.figure !== 'string' || row.figure === '') fail(`${where}.figure`, 'expected a non-empty string');
  if (typeof row.value !== 'number' || !Number.isFinite(row.value)) fail(`${where}.value`, 'expected a finite number');
  if (row.unit !== undefined && typeof row.unit !== 'string') fail(`${where}.unit`, 'expected a string');
  if (row.target !== null && typeof row.target !== 'string') fail(`${where}.target`, 'expected a string or null');
  if (row.met !== null && typeof row.met !== 'boolean') fail(`${where}.met`, 'expected a boolean or null');
  return {
    figure: row.figure,
    value: row.value,
    ...(row.unit === undefined ? {} : { unit: row.unit }),
    baseline: nullableNumber(row.baseline, `${where}.baseline`),
    ratio: nullableNumber(row.ratio, `${where}.ratio`),
    target: row.target,
    met: row.met,
  };
}

function parseChart(value: unknown, where: string): BenchChart {
  if (typeof value !== 'object' || value === null) fail(where, 'expected an object');
  const chart = value as Record<string, unknown>;
  for (const key of ['id', 'title', 'xLabel', 'yLabel'] as const) {
    if (typeof chart[key] !== 'string') fail(`${where}.${key}`, 'expected a string');
  }
  if (!Array.isArray(chart.series)) fail(`${where}.series`, 'expected an array');
  const series = chart.series.map((entry: unknown, index): BenchSeries => {
    const at = `${where}.series[${index}]`;
    const candidate = entry as { name?: unknown; points?: unknown };
    if (typeof candidate?.name !== 'string') fail(`${at}.name`, 'expected a string');
    if (!Array.isArray(candidate.points)) fail(`${at}.points`, 'expected an array of [x, y] pairs');
    const points = candidate.points.map((point: unknown, pointIndex): [number, number] => {
      const valid =
        Array.isArray(point) &&
        point.length === 2 &&
        point.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate));
      if (!valid) fail(`${at}.points[${pointIndex}]`, 'expected [x, y] with finite numbers');
      return [point[0], point[1]];
    });
    return { name: candidate.name, points };
  });
  return {
    id: chart.id as string,
    title: chart.title as string,
    xLabel: chart.xLabel as string,
    yLabel: chart.yLabel as string,
    series,
  };
}

/**
 * Checks a report against the contract and returns a clean copy; throws an `Error` naming the
 * first field that breaks it.
 *
 * @example
 * ```ts
 * const report = parseBenchReport(JSON.parse(readFileSync(path, 'utf8')));
 * ```
 */
export function parseBenchReport(value: unknown): BenchReport {
  if (typeof value !== 'object' || value === null) fail('the top level', 'expected an object');
  const report = value as { rows?: unknown; charts?: unknown };
  if (!Array.isArray(report.rows)) fail('rows', 'expected an array');
  const rows = report.rows.map((row, index) => parseRow(row, `rows[${index}]`));
  if (report.charts === undefined) return { rows };
  if (!Array.isArray(report.charts)) fail('charts', 'expected an array');
  return { rows, charts: report.charts.map((chart, index) => parseChart(chart, `charts[${index}]`)) };
}

/**
 * Collects every fenced `json bench-report` block of a benchmark's output into one report (a
 * bench with several sections may print one block per section). Returns `undefined` when there
 * is none.
 *
 * @example
 * ```ts
 * const report = reportFromOutput(stdout); // rows and charts of every block, in order
 * ```
 */
export function reportFromOutput(output: string): BenchReport | undefined {
  const blocks = [...output.matchAll(/^```json bench-report[ \t]*\r?\n([\s\S]*?)\r?\n```[ \t]*$/gm)];
  if (blocks.length === 0) return undefined;
  const reports = blocks.map((block, index) => {
    try {
      return parseBenchReport(JSON.parse(block[1]!));
    } catch (error) {
      throw new Error(`bench-report block ${index + 1}: ${(error as Error).message}`);
    }
  });
  const charts = reports.flatMap((report) => report.charts ?? []);
  return { rows: reports.flatMap((report) => report.rows), ...(charts.length ? { charts } : {}) };
}

/**
 * The output a reader should see: the bench's own Markdown, without the machine-readable blocks.
 *
 * @example
 * ```ts
 * const markdown = withoutReportBlocks(stdout);
 * ```
 */
export function withoutReportBlocks(output: string): string {
  return output.replace(/^```json bench-report[ \t]*\r?\n[\s\S]*?\r?\n```[ \t]*$/gm, '').trim();
}
