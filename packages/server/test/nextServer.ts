import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('./next-app', import.meta.url));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

/** A `next dev` process serving the fixture app. */
export interface NextServer {
  origin: string;
  /** Resolves once `readyPath` answers 200; rejects with Next's output if the process exits first. */
  ready: Promise<void>;
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
 * Starts `next dev` on the fixture app. The server is returned before it is ready, so a test
 * can always stop it in `afterAll`, even when waiting for it timed out.
 */
export async function startNextServer(env: Record<string, string>, readyPath: string): Promise<NextServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [nextBin, 'dev', '--hostname', '127.0.0.1', '--port', String(port), appDir], {
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'development' },
    // Its own process group, so stopping it also stops the workers `next dev` forks.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  const ready = Promise.race([
    waitUntilReady(`${origin}${readyPath}`, child),
    exited.then(([code]) => {
      throw new Error(`next dev exited with ${code} before it was ready:\n${output}`);
    }),
  ]);
  return {
    origin,
    ready,
    get output() {
      return output;
    },
    stop: () => stopProcessGroup(child, exited),
  };
}
async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return;
    await response?.body?.cancel();
    // Polling interval while next dev boots; no test asserts on time.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await exited;
}
