/**
 * `pnpm bench`: runs every `bench/*.bench.ts` in its own process, one after another, and writes
 * `bench/RESULTS.md` (a table per benchmark) and `bench/charts.png` (the relay-overhead and
 * tokens-per-turn curves, drawn as SVG and rasterised by headless Chromium, with no network).
 * Exits non-zero when a benchmark is missing, fails, times out or reports malformed figures.
 *
 *   pnpm bench                      every benchmark; writes RESULTS.md and charts.png
 *   pnpm bench context relay        only these; prints the results instead of writing them
 *   pnpm bench --timeout 120        per-benchmark limit in seconds (default 600)
 *
 * The report contract each benchmark follows is in bench/README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chartsPage, renderLineChart } from '../scripts/benchChart.js';
import {
  type BenchChart,
  type BenchReport,
  benchReportPathVariable,
  parseBenchReport,
  reportFromOutput,
  withoutReportBlocks,
} from '../scripts/benchReport.js';
import { type BenchOutcome, type ChartsSummary, failingStatuses, renderResults } from '../scripts/benchResults.js';
import { launchChromium } from '../scripts/chromium.js';
import { workspaceRoot } from '../scripts/workspacePackages.js';

/** Benchmarks the project promises; each is listed in RESULTS.md even when its file is missing. */
const expectedBenches = ['context', 'sandbox', 'edit-tokens', 'relay'];

/** Charts `charts.png` always has a panel for, and the benchmark that draws each. */
const expectedCharts = [
  { id: 'relay-overhead', bench: 'relay' },
  { id: 'tokens-per-turn', bench: 'context' },
];

const benchDirectory = join(workspaceRoot, 'bench');
const tsx = join(workspaceRoot, 'node_modules', '.bin', 'tsx');

const { values: options, positionals: only } = parseArgs({
  options: { timeout: { type: 'string', default: '600' } },
  allowPositionals: true,
});
const timeoutMs = Number(options.timeout) * 1000;
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
  throw new Error(`--timeout must be seconds > 0, not ${options.timeout}`);

function benchNames(): string[] {
  const found = readdirSync(benchDirectory)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length))
    .sort();
  const all = [...expectedBenches, ...found.filter((name) => !expectedBenches.includes(name))];
  if (only.length === 0) return all;
  for (const name of only) {
    if (!all.includes(name)) throw new Error(`No benchmark named ${name}; known: ${all.join(', ')}`);
  }
  return all.filter((name) => only.includes(name));
}

function readReport(reportPath: string, stdout: string): BenchReport | undefined {
  if (existsSync(reportPath)) return parseBenchReport(JSON.parse(readFileSync(reportPath, 'utf8')));
  return reportFromOutput(stdout);
}

async function runBench(name: string, scratch: string): Promise<BenchOutcome> {
  const file = join(benchDirectory, `${name}.bench.ts`);
  if (!existsSync(file))
    return { name, status: 'missing', output: '', problem: `bench/${name}.bench.ts does not exist` };

  const reportPath = join(scratch, `${name}.json`);
  console.log(`\n==> bench/${name}.bench.ts`);
  const started = performance.now();
  // Its own process group, so a timeout stops the benchmark and anything it started.
  const child = spawn(tsx, [file], {
    cwd: workspaceRoot,
    env: { ...process.env, [benchReportPathVariable]: reportPath },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      stderr += String(error);
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  clearTimeout(timer);

  const base = {
    name,
    durationMs: performance.now() - started,
    output: withoutReportBlocks(stdout),
    errorOutput: stderr.split('\n').slice(-30).join('\n'),
  };
  if (timedOut) return { ...base, status: 'timed out', problem: `stopped after ${timeoutMs / 1000} s` };
  if (exitCode !== 0) return { ...base, status: 'failed', problem: `exit code ${exitCode}` };
  try {
    const report = readReport(reportPath, stdout);
    if (!report)
      return { ...base, status: 'no report', problem: 'printed no bench-report block and wrote no report file' };
    return { ...base, errorOutput: '', status: 'ok', report };
  } catch (error) {
    return { ...base, status: 'invalid report', problem: (error as Error).message };
  }
}

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

const names = benchNames();
const scratch = mkdtempSync(join(tmpdir(), 'fragmentkit-bench-'));
const outcomes: BenchOutcome[] = [];
try {
  for (const name of names) outcomes.push(await runBench(name, scratch));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const writesFiles = only.length === 0;
const charts = writesFiles
  ? await renderCharts(outcomes, join(benchDirectory, 'charts.png'))
  : { missing: ['charts are drawn only when every benchmark runs'] };
const processor = cpus()[0]?.model ?? 'unknown CPU';
const results = renderResults({
  outcomes,
  charts,
  environment: `Node ${process.version}, ${platform()} ${arch()}, ${cpus().length} × ${processor}`,
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
