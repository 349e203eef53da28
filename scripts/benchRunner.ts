import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BenchReport,
  benchReportPathVariable,
  benchSmokeVariable,
  parseBenchReport,
  reportFromOutput,
  withoutReportBlocks,
} from './benchReport.js';
import type { BenchOutcome } from './benchResults.js';
import { workspaceRoot } from './workspacePackages.js';

/** Benchmarks the project promises; each is listed in RESULTS.md even when its file is missing. */
export const expectedBenches = ['context', 'sandbox', 'edit-tokens', 'relay', 'load'];

/** Charts `charts.png` always has a panel for, and the benchmark that draws each. */
export const expectedCharts = [
  { id: 'relay-overhead', bench: 'relay' },
  { id: 'tokens-per-turn', bench: 'context' },
];

/**
 * Settings `pnpm bench` gives a benchmark unless `BENCH_FULL=1` or the variable is already set,
 * so that one command stays within a few minutes. The benchmark states the settings it ran with
 * in its figures.
 */
export const shortRunSettings: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  load: { BENCH_DURATION_S: '15', BENCH_CONCURRENCY: '100' },
};

/** How `pnpm bench` runs the benchmarks: `short` by default, `full` with `BENCH_FULL=1`, `smoke` with `--smoke`. */
export type BenchMode = 'short' | 'full' | 'smoke';

/**
 * The environment one benchmark runs with: the caller's, plus the report file, plus the smoke
 * flag or the short-run settings the caller did not set itself.
 *
 * @example
 * ```ts
 * benchEnvironment('load', process.env, 'short', '/tmp/load.json'); // BENCH_DURATION_S=15, BENCH_CONCURRENCY=100
 * ```
 */
export function benchEnvironment(
  name: string,
  base: NodeJS.ProcessEnv,
  mode: BenchMode,
  reportPath: string,
): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...base, [benchReportPathVariable]: reportPath };
  if (mode === 'smoke') return { ...environment, [benchSmokeVariable]: '1' };
  delete environment[benchSmokeVariable];
  if (mode === 'full') return environment;
  for (const [variable, value] of Object.entries(shortRunSettings[name] ?? {})) environment[variable] ??= value;
  return environment;
}

/**
 * The benchmarks to run: the expected ones first, then any other `*.bench.ts` in `directory`,
 * narrowed to `only` when it is not empty. Throws on a name that is neither.
 *
 * @example
 * ```ts
 * benchNames(join(workspaceRoot, 'bench'), ['relay']); // ['relay']
 * ```
 */
export function benchNames(directory: string, only: readonly string[] = []): string[] {
  const found = readdirSync(directory)
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

/** What {@link runBench} needs to run one benchmark. */
export interface RunBenchOptions {
  /** `context` for `context.bench.ts`. */
  name: string;
  /** The folder holding `<name>.bench.ts`. */
  directory: string;
  /** Where the benchmark writes its report; must not exist yet. */
  reportPath: string;
  /** The benchmark's whole environment (see {@link benchEnvironment}). */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Copy the benchmark's output to this process's as it runs. */
  echo?: boolean;
}

/**
 * Runs one benchmark in its own process group with tsx and reads the report it hands over: the
 * report file when it wrote one, else the `json bench-report` blocks it printed. Never throws for
 * a benchmark's fault; the outcome's status says what went wrong.
 *
 * @example
 * ```ts
 * const outcome = await runBench({ name: 'context', directory, reportPath, env, timeoutMs: 600_000 });
 * if (outcome.status !== 'ok') console.error(outcome.problem);
 * ```
 */
export async function runBench(options: RunBenchOptions): Promise<BenchOutcome> {
  const { name, directory, reportPath, timeoutMs } = options;
  const file = join(directory, `${name}.bench.ts`);
  if (!existsSync(file))
    return { name, status: 'missing', output: '', problem: `bench/${name}.bench.ts does not exist` };

  const started = performance.now();
  // Its own process group, so a timeout stops the benchmark and anything it started.
  const child = spawn(join(workspaceRoot, 'node_modules', '.bin', 'tsx'), [file], {
    cwd: workspaceRoot,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.echo) process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.echo) process.stderr.write(chunk);
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
    if (report.rows.length === 0) return { ...base, status: 'invalid report', problem: 'the report has no rows' };
    return { ...base, errorOutput: '', status: 'ok', report };
  } catch (error) {
    return { ...base, status: 'invalid report', problem: (error as Error).message };
  }
}
