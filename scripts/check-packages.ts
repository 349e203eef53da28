/**
 * `pnpm check:packages`: lints what would be published. Each package is packed with `pnpm pack`
 * (which rewrites `workspace:*` the way `pnpm publish` does) and the tarball goes through
 * `publint --strict` and `attw`, and must ship its `CHANGELOG.md` (npm and pnpm pack it only when
 * `files` lists it); then every TSDoc example's `@fragmentkit/*` import is checked
 * against what the packages export. It builds nothing: run `pnpm build` first (CI does).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findUnexportedTsdocImports } from './tsdocImports.js';
import { packageNames, workspaceRoot } from './workspacePackages.js';

/**
 * attw flags per package. All three are ESM-only (`"type": "module"`, no `require` condition), so
 * the `esm-only` profile skips the CommonJS and node10 resolutions they deliberately do not offer.
 */
const attwFlags: Record<string, string[]> = {
  core: ['--profile', 'esm-only'],
  server: ['--profile', 'esm-only'],
  // `./styles.css` and `./preview-runtime.js` are assets a host serves (a stylesheet, the preview frame's script), not typed modules.
  react: ['--profile', 'esm-only', '--exclude-entrypoints', './styles.css', './preview-runtime.js'],
};

interface CheckResult {
  packageName: string;
  tool: string;
  ok: boolean;
}

function run(command: string, args: string[], cwd: string): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function packTarball(directory: string, destination: string): string {
  const packed = run('pnpm', ['pack', '--pack-destination', destination], directory);
  if (packed.status !== 0) throw new Error(`pnpm pack failed in ${directory}:\n${packed.output}`);
  const tarball = readdirSync(destination).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${directory}`);
  return join(destination, tarball);
}

const results: CheckResult[] = [];
const bin = join(workspaceRoot, 'node_modules', '.bin');

for (const name of packageNames) {
  const directory = join(workspaceRoot, 'packages', name);
  if (!existsSync(join(directory, 'dist'))) {
    console.error(`packages/${name}/dist is missing: run \`pnpm build\` before \`pnpm check:packages\`.`);
    process.exit(1);
  }
  const destination = mkdtempSync(join(tmpdir(), `fragmentkit-check-${name}-`));
  try {
    const tarball = packTarball(directory, destination);
    const packed = run('tar', ['-tzf', tarball], workspaceRoot).output.split('\n');
    const shipsChangelog = packed.includes('package/CHANGELOG.md');
    console.log(
      `\n==> CHANGELOG.md @fragmentkit/${name}\n${shipsChangelog ? 'in the tarball' : 'missing from the tarball: add "CHANGELOG.md" to "files"'}`,
    );
    results.push({ packageName: `@fragmentkit/${name}`, tool: 'CHANGELOG.md', ok: shipsChangelog });
    for (const [tool, args] of [
      ['publint', ['run', tarball, '--strict', '--level', 'suggestion']],
      ['attw', [tarball, '--format', 'table-flipped', '--no-emoji', ...(attwFlags[name] ?? [])]],
    ] as const) {
      const outcome = run(join(bin, tool), [...args], workspaceRoot);
      console.log(`\n==> ${tool} @fragmentkit/${name}\n${outcome.output.trim()}`);
      results.push({ packageName: `@fragmentkit/${name}`, tool, ok: outcome.status === 0 });
    }
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

const unexported = findUnexportedTsdocImports(join(workspaceRoot, 'packages'), packageNames);
console.log('\n==> TSDoc examples import only what the packages export');
for (const problem of unexported) {
  console.log(
    problem.name
      ? `  ${problem.name} is not exported by ${problem.specifier} (example in packages/${problem.file})`
      : `  ${problem.specifier} is not in its package's exports (example in packages/${problem.file})`,
  );
}
results.push({ packageName: 'all packages', tool: 'TSDoc imports', ok: unexported.length === 0 });

console.log('\npackage checks:');
for (const result of results) console.log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${result.tool} ${result.packageName}`);
if (results.some((result) => !result.ok)) process.exit(1);
