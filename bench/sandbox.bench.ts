/**
 * Sandbox benchmarks, run with `pnpm exec tsx bench/sandbox.bench.ts` from the repository root.
 *
 * 1. E2B warm pool: `acquire` from a warm pool against a cold `Sandbox.create`, on a fake SDK
 *    whose create takes E2B's typical cold start (3 s) and whose API calls take a typical
 *    round trip (80 ms), both scaled down by `SCALE` so the run stays short. The ratio is
 *    what matters; multiply the times by `SCALE` for real-world figures.
 * 2. Local sandbox: a hello-world run in Node and Python, with bubblewrap and as a plain child
 *    process, against spawning the interpreter directly (no sandbox) as the baseline.
 *
 * Medians go to `pnpm bench` through the report contract (bench/README.md). Issue #6 sets no
 * number; the one target is that a warm acquire beats a cold create. With BENCH_SMOKE=1 each
 * scenario runs a few times only. Without `python3` the Python rows are left out, saying so.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type FakeE2BSandbox, FakeE2BSdk } from '../packages/core/src/e2b/__fixtures__/fakeE2BSdk.js';
import { createE2BSandboxProvider } from '../packages/core/src/e2b/index.js';
import { createLocalSandboxProvider, detectBubblewrap } from '../packages/core/src/node/index.js';
import { type BenchRow, isBenchSmokeRun, reportBench } from '../scripts/benchReport.js';

const SCALE = 20;
const coldStartMs = 3000 / SCALE;
const apiRoundTripMs = 80 / SCALE;
const poolRuns = isBenchSmokeRun() ? 3 : 20;
const localRuns = isBenchSmokeRun() ? 2 : 15;
const run = promisify(execFile);

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The fake SDK with realistic latency on create and on every API round trip. */
class SlowE2BSdk extends FakeE2BSdk {
  override latency = () => delay(coldStartMs);

  override async create(...args: Parameters<FakeE2BSdk['create']>): Promise<FakeE2BSandbox> {
    const sandbox = await super.create(...args);
    const isRunning = sandbox.isRunning.bind(sandbox);
    const setTimeout = sandbox.setTimeout.bind(sandbox);
    sandbox.isRunning = async () => {
      await delay(apiRoundTripMs);
      return isRunning();
    };
    sandbox.setTimeout = async (ms) => {
      await delay(apiRoundTripMs);
      return setTimeout(ms);
    };
    return sandbox;
  }
}

interface Row {
  group: string;
  scenario: string;
  samples: number[];
  baseline?: boolean;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

async function time(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function benchPool(): Promise<Row[]> {
  const cold = createE2BSandboxProvider({ sdk: new SlowE2BSdk(), cleanupIntervalMs: 0 });
  const coldSamples: number[] = [];
  for (let index = 0; index < poolRuns; index++) {
    coldSamples.push(await time(async () => (await cold.acquire({ template: 'nextjs-developer' })).kill()));
  }
  await cold.close();

  const warm = createE2BSandboxProvider({
    sdk: new SlowE2BSdk(),
    cleanupIntervalMs: 0,
    pool: { size: { 'nextjs-developer': 2 } },
  });
  await warm.warm();
  const warmSamples: number[] = [];
  for (let index = 0; index < poolRuns; index++) {
    warmSamples.push(await time(async () => (await warm.acquire({ template: 'nextjs-developer' })).kill()));
    // The refill happens in the background; a real product has seconds between acquires.
    await warm.idle();
  }
  await warm.close();

  return [
    {
      group: `E2B acquire (fake SDK, latency ÷${SCALE})`,
      scenario: 'cold Sandbox.create',
      samples: coldSamples,
      baseline: true,
    },
    {
      group: `E2B acquire (fake SDK, latency ÷${SCALE})`,
      scenario: 'warm pool (liveness check)',
      samples: warmSamples,
    },
  ];
}

async function benchLocal(): Promise<Row[]> {
  const rows: Row[] = [];
  const python = await run('python3', ['-c', 'import sys; print(sys.executable)']).then(
    (result) => result.stdout.trim(),
    () => undefined,
  );
  const languages: Array<{ language: 'javascript' | 'python'; name: string; code: string; direct: [string, string] }> =
    [{ language: 'javascript', name: 'Node', code: 'console.log("hello")', direct: [process.execPath, '-e'] }];
  if (python) languages.push({ language: 'python', name: 'Python', code: 'print("hello")', direct: [python, '-c'] });
  else rows.push({ group: 'Local Python hello world', scenario: 'skipped: python3 is not installed', samples: [] });
  for (const { name, code, direct } of languages) {
    const samples: number[] = [];
    for (let index = 0; index < localRuns; index++) samples.push(await time(() => run(direct[0], [direct[1], code])));
    rows.push({ group: `Local ${name} hello world`, scenario: 'direct spawn, no sandbox', samples, baseline: true });
  }

  const bubblewrap = await detectBubblewrap();
  const modes = bubblewrap.available ? (['require', 'off'] as const) : (['off'] as const);
  const original = console.warn;
  console.warn = () => undefined;
  try {
    for (const mode of modes) {
      const provider = createLocalSandboxProvider({ bubblewrap: mode });
      const session = await provider.acquire({ template: 'code-interpreter-v1' });
      for (const { language, name, code } of languages) {
        await session.run({ code, language });
        const samples: number[] = [];
        for (let index = 0; index < localRuns; index++) samples.push(await time(() => session.run({ code, language })));
        const label = mode === 'require' ? 'bubblewrap' : 'plain process';
        rows.push({
          group: `Local ${name} hello world`,
          scenario: `session.run, ${label} (writes the snippet, then runs it)`,
          samples,
        });
      }
      await provider.close();
    }
  } finally {
    console.warn = original;
  }
  if (!bubblewrap.available) {
    rows.push({ group: 'Local hello world', scenario: `bubblewrap skipped: ${bubblewrap.reason}`, samples: [] });
  }
  return rows;
}

function table(rows: readonly Row[]): string {
  const lines = ['| group | scenario | median ms | p95 ms | ratio vs baseline (median) |', '|---|---|---:|---:|---:|'];
  for (const row of rows) {
    const baseline = rows.find((candidate) => candidate.group === row.group && candidate.baseline);
    const base = baseline ? median(baseline.samples) : Number.NaN;
    const value = median(row.samples);
    const ratio = row.samples.length === 0 ? '—' : row.baseline ? '1.00 (baseline)' : `${(value / base).toFixed(2)}×`;
    const format = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '—');
    lines.push(`| ${row.group} | ${row.scenario} | ${format(value)} | ${format(p95(row.samples))} | ${ratio} |`);
  }
  return lines.join('\n');
}

/** One figure per measured scenario that has a baseline: its median against the baseline's. */
function reportRows(rows: readonly Row[]): BenchRow[] {
  return rows.flatMap((row): BenchRow[] => {
    const baseline = rows.find((candidate) => candidate.group === row.group && candidate.baseline);
    if (row.baseline || !baseline || row.samples.length === 0) return [];
    const value = median(row.samples);
    const base = median(baseline.samples);
    const isPool = row.group.startsWith('E2B');
    return [
      {
        figure: `${row.group}: ${row.scenario}, median (baseline: ${baseline.scenario})`,
        value,
        unit: 'ms',
        baseline: base,
        ratio: value / base,
        target: isPool ? '< cold create' : null,
        met: isPool ? value < base : null,
      },
    ];
  });
}

const measured = [...(await benchPool()), ...(await benchLocal())];
const groups = [...new Set(measured.map((row) => row.group))];
const rows = groups.flatMap((group) => measured.filter((row) => row.group === group));
console.log(
  `Sandbox benchmark: ${poolRuns} acquires per E2B scenario (cold start ${coldStartMs} ms = 3 s ÷ ${SCALE}, API round trip ${apiRoundTripMs} ms = 80 ms ÷ ${SCALE}), ${localRuns} runs per local scenario. Node ${process.version}.\n`,
);
console.log(table(rows));
reportBench({ rows: reportRows(rows) });
