/**
 * `pnpm bench`: runs every `bench/*.bench.ts` in its own process, one after another, and writes
 * `bench/RESULTS.md` (a table per benchmark) and `bench/charts.png` (the relay-overhead and
 * tokens-per-turn curves, drawn as SVG and rasterised by headless Chromium, with no network).
 * Exits non-zero when a benchmark is missing, fails, times out, reports nothing or reports malformed figures.
 *
 *   pnpm bench                      every benchmark; writes RESULTS.md and charts.png
 *   pnpm bench context relay        only these; prints the results instead of writing them
 *   pnpm bench --timeout 120        per-benchmark limit in seconds (default 600)
 *   pnpm bench --smoke              a few iterations of each: checks that every benchmark runs and
 *                                   reports; prints, writes nothing, and fails on any missing report
 *   BENCH_FULL=1 pnpm bench         the load check at the issue's 200 clients for 60 s (default: 100 for 15 s)
 *
 * The report contract each benchmark follows is in bench/README.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chartsPage, renderLineChart } from '../scripts/benchChart.js';
import type { BenchChart } from '../scripts/benchReport.js';
import { type BenchOutcome, type ChartsSummary, failingStatuses, renderResults } from '../scripts/benchResults.js';
import { type BenchMode, benchEnvironment, benchNames, expectedCharts, runBench } from '../scripts/benchRunner.js';
import { launchChromium } from '../scripts/chromium.js';
import { workspaceRoot } from '../scripts/workspacePackages.js';

const benchDirectory = join(workspaceRoot, 'bench');

const { values: options, positionals: only } = parseArgs({
  options: { timeout: { type: 'string', default: '600' }, smoke: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const timeoutMs = Number(options.timeout) * 1000;
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
  throw new Error(`--timeout must be seconds > 0, not ${options.timeout}`);
const mode: BenchMode = options.smoke ? 'smoke' : process.env.BENCH_FULL === '1' ? 'full' : 'short';

async function renderCharts(outcomes: readonly BenchOutcome[], imagePath: string): Promise<ChartsSummary> {
  const reported = new Map<string, BenchChart>();
  for (const outcome of outcomes) for (const chart of outcome.report?.charts ?? []) reported.set(chart.id, chart);

  const missing: string[] = [];
  const svgs: string[] = [];
  for (const { id, bench } of expectedCharts) {
    const chart = reported.get(id);
    if (chart) continue;
    const outcome = outcomes.find((candidate) => candidate.name === bench);
    const why =
      !outcome || outcome.status === 'missing'
        ? `bench/${bench}.bench.ts does not exist`
        : `bench/${bench}.bench.ts (${outcome.status}) reported no "${id}" chart`;
    missing.push(`${id}: ${why}`);
    svgs.push(renderLineChart({ id, title: id, xLabel: '', yLabel: '', series: [] }, `no data: ${why}`));
  }
  const drawn = [...reported.values()].sort(
    (a, b) =>
      expectedCharts.findIndex((chart) => chart.id === a.id) - expectedCharts.findIndex((chart) => chart.id === b.id),
  );
  svgs.unshift(...drawn.map((chart) => renderLineChart(chart)));

  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ deviceScaleFactor: 2 });
      await page.setContent(chartsPage(svgs));
      await page.locator('#charts').screenshot({ path: imagePath });
    } finally {
      await browser.close();
    }
    return { image: 'charts.png', missing };
  } catch (error) {
    return { missing, error: (error as Error).message.split('\n')[0] };
  }
}

const names = benchNames(benchDirectory, only);
const scratch = mkdtempSync(join(tmpdir(), 'fragmentkit-bench-'));
const outcomes: BenchOutcome[] = [];
try {
  for (const name of names) {
    console.log(`\n==> bench/${name}.bench.ts${mode === 'short' ? '' : ` (${mode})`}`);
    const reportPath = join(scratch, `${name}.json`);
    const env = benchEnvironment(name, process.env, mode, reportPath);
    outcomes.push(await runBench({ name, directory: benchDirectory, reportPath, env, timeoutMs, echo: true }));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// A smoke run's figures are not measurements, so it never overwrites the results.
const writesFiles = only.length === 0 && mode !== 'smoke';
const charts = writesFiles
  ? await renderCharts(outcomes, join(benchDirectory, 'charts.png'))
  : { missing: [`charts are drawn only when every benchmark runs${mode === 'smoke' ? ', not in a smoke run' : ''}`] };
const processor = cpus()[0]?.model ?? 'unknown CPU';
const results = renderResults({
  outcomes,
  charts,
  environment: `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${processor}, ${
    mode === 'full' ? 'full settings (BENCH_FULL=1)' : 'short settings (BENCH_FULL=1 runs the issues’ full ones)'
  }`,
});
if (writesFiles) {
  writeFileSync(join(benchDirectory, 'RESULTS.md'), results);
  console.log('\nwrote bench/RESULTS.md and bench/charts.png');
} else {
  console.log(`\n${results}`);
}

console.log('\nbenchmarks:');
for (const outcome of outcomes) console.log(`  ${outcome.status.padEnd(14)} ${outcome.name}`);
if (outcomes.some((outcome) => failingStatuses.has(outcome.status)) || charts.error) process.exitCode = 1;
