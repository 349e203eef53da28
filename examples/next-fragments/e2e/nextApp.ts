import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** A running Next.js server of this app. */
export interface NextApp {
  url: string;
  /** Everything Next printed so far, for failure messages. */
  readonly output: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts the app with `next start` (the production build in `.next`, made by `next build`) on
 * an ephemeral loopback port, with an empty PGlite folder of its own or `options.dataDir`. `FRAGMENTKIT_E2E_NEXT=dev` runs
 * `next dev` instead, to iterate without rebuilding.
 */
export async function startNextApp(env: Record<string, string>, options: { dataDir?: string } = {}): Promise<NextApp> {
  const mode = process.env.FRAGMENTKIT_E2E_NEXT === 'dev' ? 'dev' : 'start';
  if (mode === 'start' && !existsSync(path.join(appDir, '.next', 'BUILD_ID'))) {
    throw new Error('The app is not built: run `pnpm --filter @fragmentkit/example-next-fragments test:e2e`.');
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A folder the caller passes outlives this server (e.g. to restart on the same data); its own does not.
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'fragmentkit-next-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, mode, '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: appDir,
      // Only what the test passes: no provider settings leak in from the developer's shell.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: mode === 'dev' ? 'development' : 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        FRAGMENTKIT_DATA_DIR: path.join(dataDir, 'db'),
        ...env,
      },
      // Its own process group, so stopping it also stops the workers Next forks.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      } catch {
        // Already gone.
      }
    }
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(`${url}/api/fragmentkit/health`, child, () => output);
    // The first page request compiles the page under `next dev`; do it before any browser waits.
    await (await fetch(url)).text();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    get output() {
      return output;
    },
    stop,
  };
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return;
    await response?.body?.cancel();
    // Polling interval while Next boots; no test asserts on time.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output()}`);
}
