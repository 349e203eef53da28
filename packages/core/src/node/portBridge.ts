import { connect, createServer, type Socket } from 'node:net';

/**
 * Runs inside the sandbox, in front of a server: it starts the server command, waits until
 * the server's port accepts connections on the sandbox's own loopback, then listens on a Unix
 * socket in the work directory and forwards each connection to that port. It exits with the
 * server's exit status.
 *
 * Why: the sandbox has its own network namespace (no network at all), so the host cannot
 * reach the server's port. A Unix socket is a file, and the work directory is shared, so the
 * socket crosses the namespace boundary while the server still cannot open any connection
 * to the outside world or to the host's loopback services.
 *
 * argv: `node -e <source> <socket path> <port> <shell command>`
 */
export const portBridgeSource = `
const net = require('node:net');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const [socketPath, portText, command] = process.argv.slice(1);
const port = Number(portText);
const child = spawn('/bin/sh', ['-c', command], { stdio: 'inherit' });
const signals = require('node:os').constants.signals;
child.on('exit', (code, signal) => process.exit(signal ? 128 + (signals[signal] || 9) : code === null ? 1 : code));
for (const name of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(name, () => child.kill(name));
function attempt(hosts) {
  if (hosts.length === 0) return setTimeout(() => attempt(['127.0.0.1', '::1']), 100);
  const probe = net.connect({ port, host: hosts[0] });
  probe.once('connect', () => { probe.destroy(); listen(hosts[0]); });
  probe.once('error', () => { probe.destroy(); attempt(hosts.slice(1)); });
}
function listen(host) {
  try { fs.unlinkSync(socketPath); } catch {}
  net.createServer((client) => {
    const upstream = net.connect({ port, host });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  }).listen(socketPath);
}
attempt(['127.0.0.1', '::1']);
`;

/**
 * Resolves once a connection to the Unix socket at `path` succeeds. Polls every `intervalMs`
 * until `shouldStop()` says to give up (server exited, timeout, abort).
 */
export async function waitForSocket(path: string, shouldStop: () => boolean, intervalMs = 50): Promise<boolean> {
  while (!shouldStop()) {
    if (await canConnect(path)) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A TCP listener on the host's loopback that forwards to a sandbox's Unix socket. */
export interface HostProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (an ephemeral port) and forwards every connection to the Unix socket at `socketPath`. */
export function createHostProxy(socketPath: string): Promise<HostProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const cleanUp = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', cleanUp).on('close', cleanUp);
    upstream.on('error', cleanUp).on('close', cleanUp);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
