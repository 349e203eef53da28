import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchReportPathVariable, benchSmokeVariable } from './benchReport.js';
import { failingStatuses } from './benchResults.js';
import { benchEnvironment, benchNames, expectedCharts, runBench } from './benchRunner.js';
import { workspaceRoot } from './workspacePackages.js';

const row = { figure: 'p50', value: 1, unit: 'ms', baseline: 2, ratio: 0.5, target: null, met: null };

describe('runBench with stand-in benchmarks', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'fragmentkit-bench-runner-'));
    const benches: Record<string, string> = {
      silent: "console.log('| a | table |');",
      file: `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.${benchReportPathVariable}!, JSON.stringify({ rows: [${JSON.stringify(row)}] }));
console.log('smoke=' + process.env.${benchSmokeVariable});`,
      printed: `console.log('before\\n\`\`\`json bench-report\\n' + JSON.stringify({ rows: [${JSON.stringify(row)}] }) + '\\n\`\`\`');`,
      empty: `console.log('\`\`\`json bench-report\\n{"rows":[]}\\n\`\`\`');`,
      broken: `console.log('\`\`\`json bench-report\\n{"rows":[{"figure":"x","value":"fast"}]}\\n\`\`\`');`,
      crashing: "console.log('ran'); process.exit(3);",
    };
    for (const [name, source] of Object.entries(benches)) writeFileSync(join(directory, `${name}.bench.ts`), source);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const run = (name: string, env: NodeJS.ProcessEnv = process.env) => {
    const reportPath = join(directory, `${name}.json`);
    return runBench({
      name,
      directory,
      reportPath,
      env: { ...env, [benchReportPathVariable]: reportPath },
      timeoutMs: 60_000,
    });
  };

  it('fails a benchmark that hands over no report', async () => {
    const outcome = await run('silent');
    expect(outcome.status).toBe('no report');
    expect(outcome.output).toBe('| a | table |');
    expect(failingStatuses.has(outcome.status)).toBe(true);
  });

  it('reads the report file, and the smoke flag reaches the benchmark', async () => {
    const outcome = await run('file', { ...process.env, [benchSmokeVariable]: '1' });
    expect(outcome.status).toBe('ok');
    expect(outcome.report?.rows).toEqual([row]);
    expect(outcome.output).toBe('smoke=1');
  });

  it('reads printed report blocks and keeps them out of the output', async () => {
    const outcome = await run('printed');
    expect(outcome.status).toBe('ok');
    expect(outcome.report?.rows).toEqual([row]);
    expect(outcome.output).toBe('before');
  });

  it('rejects a report without rows or with a malformed row, naming the field', async () => {
    const empty = await run('empty');
    expect(empty).toMatchObject({ status: 'invalid report', problem: 'the report has no rows' });
    const broken = await run('broken');
    expect(broken.status).toBe('invalid report');
    expect(broken.problem).toContain('rows[0].value');
    expect(failingStatuses.has(empty.status) && failingStatuses.has(broken.status)).toBe(true);
  });

  it('reports a crash with its exit code and a missing file by name', async () => {
    expect(await run('crashing')).toMatchObject({ status: 'failed', problem: 'exit code 3' });
    expect(await run('absent')).toMatchObject({ status: 'missing', problem: 'bench/absent.bench.ts does not exist' });
  });
});

describe('benchEnvironment', () => {
  it('runs the load check short by default, at its full settings with BENCH_FULL=1, and keeps what the caller set', () => {
    const short = benchEnvironment('load', { PATH: '/bin' }, 'short', '/tmp/load.json');
    expect(short).toMatchObject({
      BENCH_DURATION_S: '15',
      BENCH_CONCURRENCY: '100',
      [benchReportPathVariable]: '/tmp/load.json',
    });
    expect(benchEnvironment('load', { BENCH_CONCURRENCY: '50' }, 'short', '/r').BENCH_CONCURRENCY).toBe('50');
    const full = benchEnvironment('load', { PATH: '/bin' }, 'full', '/r');
    expect(full.BENCH_DURATION_S).toBeUndefined();
    expect(full.BENCH_CONCURRENCY).toBeUndefined();
    expect(benchEnvironment('context', { PATH: '/bin' }, 'short', '/r').BENCH_DURATION_S).toBeUndefined();
  });

  it('sets the smoke flag only in a smoke run', () => {
    expect(benchEnvironment('relay', {}, 'smoke', '/r')[benchSmokeVariable]).toBe('1');
    expect(benchEnvironment('relay', { [benchSmokeVariable]: '1' }, 'short', '/r')[benchSmokeVariable]).toBeUndefined();
  });
});

const benchDirectory = join(workspaceRoot, 'bench');
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

// Every real benchmark, a few iterations each (BENCH_SMOKE=1): a benchmark that stops handing over
// its figures, or whose figures lose their same-run baseline or its chart, fails here.
describe('every benchmark in bench/ reports its figures (smoke run)', () => {
  // The promised ones (a missing file fails as `missing`) and any other bench/*.bench.ts.
  for (const name of benchNames(benchDirectory)) {
    const needsRedis = name === 'load' && !hasRedisServer;
    const skip = needsRedis && !process.env.CI;
    it.skipIf(skip)(
      `${name}${skip ? ' (skipped: redis-server is not installed; install it or run with CI=true to fail instead)' : ''}`,
      async () => {
        const scratch = mkdtempSync(join(tmpdir(), `fragmentkit-bench-smoke-${name}-`));
        try {
          const reportPath = join(scratch, 'report.json');
          const env = benchEnvironment(name, process.env, 'smoke', reportPath);
          const outcome = await runBench({ name, directory: benchDirectory, reportPath, env, timeoutMs: 170_000 });
          expect(outcome.status, `${outcome.problem}\n${outcome.errorOutput}`).toBe('ok');
          const rows = outcome.report?.rows ?? [];
          expect(rows.length).toBeGreaterThan(0);
          for (const entry of rows) {
            expect(entry.baseline, `"${entry.figure}" has no same-run baseline`).not.toBeNull();
            expect(entry.met === null, `"${entry.figure}": met must be set exactly when there is a target`).toBe(
              entry.target === null,
            );
          }
          expect(rows.some((entry) => entry.target !== null)).toBe(true);
          for (const chart of expectedCharts.filter((expected) => expected.bench === name)) {
            const drawn = outcome.report?.charts?.find((candidate) => candidate.id === chart.id);
            expect(drawn?.series.length, `${name} reports no "${chart.id}" chart`).toBeGreaterThan(0);
            for (const series of drawn!.series) expect(series.points.length).toBeGreaterThan(1);
          }
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      },
      180_000,
    );
  }
});
