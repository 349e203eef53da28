import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEndpoint, endpointUrl } from './__fixtures__/testKit.js';
import { initReporter } from './initReporter.js';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const hostScript = fileURLToPath(new URL('./__fixtures__/nodeHost.mjs', import.meta.url));

interface Received {
  headers: IncomingHttpHeaders;
  events: Array<Record<string, unknown>>;
}

let server: Server;
let ingestUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, events: JSON.parse(body).events });
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/fragmentkit/ingest`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received.length = 0;
});

/** Runs the host script in a real Node process, the reporter loaded from source through tsx. */
function runHost(scenario: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', hostScript, scenario, ingestUrl], {
      cwd: repositoryRoot,
      // A clean environment: no inherited loaders, no CI commit variables.
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe('Node global handlers (real child processes)', { timeout: 60_000 }, () => {
  it('an uncaught exception still crashes the process exactly as without the reporter', async () => {
    const [baseline, reported] = await Promise.all([runHost('baseline-uncaught'), runHost('uncaught')]);
    expect(baseline.code).toBe(1);
    expect(reported.code).toBe(baseline.code);
    for (const run of [baseline, reported]) {
      expect(run.stderr).toContain('Error: boom from the host');
      expect(run.stderr).toContain(`Node.js ${process.version}`);
    }
    // Observed through uncaughtExceptionMonitor before Node printed the error and exited.
    expect(reported.stderr).toContain('captured fatal Error: boom from the host');
    expect(reported.stderr.indexOf('captured fatal')).toBeLessThan(
      reported.stderr.indexOf(`Node.js ${process.version}`),
    );
  });

  it('an unhandled rejection still crashes the process with the default exit code', async () => {
    const [baseline, reported] = await Promise.all([runHost('baseline-rejection'), runHost('rejection')]);
    expect(baseline.code).toBe(1);
    expect(reported.code).toBe(baseline.code);
    expect(reported.stderr).toContain('Error: nobody handled this');
    expect(reported.stderr).toContain('captured fatal Error: nobody handled this');
  });

  it('when the host handles rejections itself, the process lives on and the event is delivered', async () => {
    const [baseline, reported] = await Promise.all([
      runHost('baseline-host-rejection-handler'),
      runHost('host-rejection-handler'),
    ]);
    expect(baseline.code).toBe(0);
    expect(reported.code).toBe(0);
    expect(reported.stderr).toContain('host handled: the host handles this');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe('Bearer child-key');
    expect(received[0]?.events).toMatchObject([
      {
        level: 'error',
        type: 'Error',
        message: 'the host handles this',
        runtime: { name: 'node', version: process.versions.node },
      },
    ]);
  });

  it('delivers a fatal event before exit when the host awaits flush() in its own handler', async () => {
    const run = await runHost('host-flushes-then-exits');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('host caught: fatal but flushed');
    expect(received.flatMap((request) => request.events)).toMatchObject([
      { level: 'fatal', type: 'Error', message: 'fatal but flushed' },
    ]);
  });

  it('sends what is still queued when the event loop empties, and does not keep the process alive', async () => {
    const run = await runHost('idle');
    expect(run.code).toBe(0);
    expect(received.flatMap((request) => request.events)).toMatchObject([
      { level: 'info', type: 'Message', message: 'last words before a normal exit' },
    ]);
  });
});

describe('Node global handlers (listener bookkeeping)', () => {
  const counts = () => ({
    uncaughtExceptionMonitor: process.listenerCount('uncaughtExceptionMonitor'),
    uncaughtException: process.listenerCount('uncaughtException'),
    unhandledRejection: process.listenerCount('unhandledRejection'),
    beforeExit: process.listenerCount('beforeExit'),
    newListener: process.listenerCount('newListener'),
    removeListener: process.listenerCount('removeListener'),
  });

  it('adds a monitor, never an uncaughtException listener, follows the host on unhandledRejection, and removes everything on close()', async () => {
    const before = counts();
    const reporter = initReporter({ endpoint: endpointUrl, key: 'k', fetch: createEndpoint().fetch });
    const installed = counts();
    expect(installed.uncaughtExceptionMonitor).toBe(before.uncaughtExceptionMonitor + 1);
    expect(installed.uncaughtException).toBe(before.uncaughtException);
    expect(installed.beforeExit).toBe(before.beforeExit + 1);
    // Only observes rejections when somebody else already does (this test runner may).
    const observing = before.unhandledRejection > 0 ? 1 : 0;
    expect(installed.unhandledRejection).toBe(before.unhandledRejection + observing);

    const hostListener = () => {};
    process.on('unhandledRejection', hostListener);
    await Promise.resolve();
    expect(process.listenerCount('unhandledRejection')).toBe(before.unhandledRejection + 2);
    process.removeListener('unhandledRejection', hostListener);
    await Promise.resolve();
    expect(process.listenerCount('unhandledRejection')).toBe(before.unhandledRejection + observing);

    await reporter.close();
    expect(counts()).toEqual(before);
  });

  it('installs nothing with captureGlobal: false', async () => {
    const before = counts();
    const reporter = initReporter({
      endpoint: endpointUrl,
      key: 'k',
      captureGlobal: false,
      fetch: createEndpoint().fetch,
    });
    expect(counts()).toEqual(before);
    await reporter.close();
  });
});
