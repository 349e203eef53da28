import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type PackageName, packageNames, workspaceRoot } from '../../scripts/workspacePackages.js';

/** What a command printed, for failure messages. */
export interface CommandOutput {
  output: string;
}

/** Runs a command to completion without blocking the event loop (the fake provider lives in this process). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolve({ output });
      else reject(new Error(`\`${command} ${args.join(' ')}\` exited with ${status} in ${options.cwd}:\n${output}`));
    });
  });
}

function readManifest(path: string): {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(workspaceRoot, path), 'utf8'));
}

/** Version ranges the reference app and the workspace already use, so the outside project never drifts from them. */
function workspaceRange(name: string): string {
  for (const path of ['examples/express-vite/package.json', 'package.json']) {
    const manifest = readManifest(path);
    const range = manifest.dependencies?.[name] ?? manifest.devDependencies?.[name];
    if (range) return range;
  }
  throw new Error(`No workspace package.json names ${name}; add it to the reference app or pin it here.`);
}

const thirdPartyDependencies = ['express', 'react', 'react-dom'];
const thirdPartyDevDependencies = [
  'vite',
  '@vitejs/plugin-react',
  '@types/express',
  '@types/node',
  '@types/react',
  '@types/react-dom',
];

/** Packs each published package with `pnpm pack`, which rewrites `workspace:*` as `pnpm publish` does. */
export async function packTarballs(destination: string): Promise<Record<PackageName, string>> {
  const tarballs = {} as Record<PackageName, string>;
  for (const name of packageNames) {
    const directory = join(workspaceRoot, 'packages', name);
    if (!existsSync(join(directory, 'dist'))) {
      throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` before \`pnpm test:packaging\`.`);
    }
    const before = new Set(readdirSync(destination));
    await runCommand('pnpm', ['pack', '--pack-destination', destination], { cwd: directory });
    const tarball = readdirSync(destination).find((file) => file.endsWith('.tgz') && !before.has(file));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball for packages/${name}`);
    tarballs[name] = join(destination, tarball);
  }
  return tarballs;
}

/** A fresh npm project outside the workspace with the tarballs installed. */
export interface ConsumerProject {
  directory: string;
  tarballs: Record<PackageName, string>;
  /** Deletes the project unless `FRAGMENTKIT_KEEP_PACKAGING_PROJECT` is set (to inspect a failure). */
  remove(): void;
}

/**
 * Creates a project under the OS temp directory, where nothing of the workspace can be resolved,
 * copies the consumer sources in and installs the tarballs plus the host's own dependencies with
 * plain `npm install` (offline first, so a warm npm cache makes it quick).
 */
export async function createConsumerProject(): Promise<ConsumerProject> {
  const directory = mkdtempSync(join(tmpdir(), 'fragmentkit-consumer-'));
  const tarballDirectory = join(directory, 'tarballs');
  mkdirSync(tarballDirectory);
  const tarballs = await packTarballs(tarballDirectory);

  const manifest = {
    name: 'fragmentkit-consumer',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(packageNames.map((name) => [`@fragmentkit/${name}`, `file:${tarballs[name]}`])),
      ...Object.fromEntries(thirdPartyDependencies.map((name) => [name, workspaceRange(name)])),
    },
    devDependencies: Object.fromEntries(thirdPartyDevDependencies.map((name) => [name, workspaceRange(name)])),
  };
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(new URL('./consumer', import.meta.url), directory, { recursive: true });

  await runCommand(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--no-package-lock'],
    { cwd: directory },
  );

  return {
    directory,
    tarballs,
    remove() {
      if (!process.env.FRAGMENTKIT_KEEP_PACKAGING_PROJECT) rmSync(directory, { recursive: true, force: true });
      else console.log(`kept the consumer project at ${directory}`);
    },
  };
}

/** The consumer's Express server, running as its own Node process. */
export interface ConsumerServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `node server.mjs` in the project and waits for the line that names its port. */
export function startConsumerServer(directory: string, env: NodeJS.ProcessEnv): Promise<ConsumerServer> {
  const child: ChildProcess = spawn(process.execPath, ['server.mjs'], {
    cwd: directory,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });

  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server.mjs exited with ${code} before listening:\n${errors}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve({ url: match[1], close });
    });
  });
}
