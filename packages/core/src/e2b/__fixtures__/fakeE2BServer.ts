import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request the fake received, with its body as text (multipart and enveloped bodies included). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What the fake answers to a command: its output and exit code. */
export interface FakeCommand {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/**
 * A local stand-in for E2B, speaking the wire protocols the real `e2b` SDK uses:
 * - the control-plane REST API (`POST /v2/sandboxes`, `POST /sandboxes/:id/timeout`,
 *   `DELETE /sandboxes/:id`), on `apiUrl`;
 * - the sandbox's envd API (`GET /health`, `POST /files`) and its Connect RPC
 *   `process.Process/Start` (server streaming, JSON envelopes), on `sandboxUrl`;
 * - the code interpreter's `POST /execute` (newline-delimited JSON).
 */
export class FakeE2BServer {
  readonly requests: RecordedRequest[] = [];
  readonly alive = new Set<string>();
  /** Status codes for the next sandbox creations, in order (e.g. 503, 401); empty means 201. */
  createFailures: number[] = [];
  commands: (command: string) => FakeCommand = () => ({});
  /** NDJSON lines `POST /execute` streams back. */
  execution: object[] = [];
  private server: Server | undefined;
  private created = 0;

  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('The fake E2B server is not listening.');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Requests to `path` (exact, or a pattern). */
  find(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (entry) => entry.method === method && (typeof path === 'string' ? entry.path === path : path.test(entry.path)),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body: raw.toString('utf8'),
    };
    this.requests.push(recorded);
    const json = (status: number, body?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };

    if (recorded.method === 'POST' && recorded.path === '/v2/sandboxes') {
      const failure = this.createFailures.shift();
      if (failure) return json(failure, { code: failure, message: `scripted failure ${failure}` });
      this.created += 1;
      const sandboxID = `isb${this.created}`;
      this.alive.add(sandboxID);
      const body = JSON.parse(recorded.body) as { templateID: string };
      return json(201, {
        sandboxID,
        templateID: body.templateID,
        clientID: 'fake-client',
        envdVersion: '0.4.0',
        envdAccessToken: `token-${sandboxID}`,
      });
    }
    const timeout = /^\/sandboxes\/([^/]+)\/timeout$/.exec(recorded.path);
    if (recorded.method === 'POST' && timeout) {
      return this.alive.has(timeout[1] as string) ? json(204) : json(404, { code: 404, message: 'not found' });
    }
    const sandbox = /^\/sandboxes\/([^/]+)$/.exec(recorded.path);
    if (recorded.method === 'DELETE' && sandbox) {
      return this.alive.delete(sandbox[1] as string) ? json(204) : json(404, { code: 404, message: 'not found' });
    }

    const sandboxId = String(request.headers['e2b-sandbox-id'] ?? '');
    if (!this.alive.has(sandboxId)) return json(502, { message: 'sandbox not running' });
    if (recorded.method === 'GET' && recorded.path === '/health') return json(204);
    if (recorded.method === 'POST' && recorded.path === '/files') {
      const paths = [...recorded.body.matchAll(/filename="([^"]+)"/g)].map((match) => match[1] as string);
      return json(
        200,
        paths.map((path) => ({ name: path.split('/').at(-1), type: 'file', path })),
      );
    }
    if (recorded.method === 'POST' && recorded.path === '/process.Process/Start') {
      const start = JSON.parse(raw.subarray(5).toString('utf8')) as { process: { args: string[] } };
      const outcome = this.commands(start.process.args.at(-1) ?? '');
      response.writeHead(200, { 'content-type': 'application/connect+json' });
      const events: object[] = [{ event: { start: { pid: 42 } } }];
      if (outcome.stdout) events.push({ event: { data: { stdout: Buffer.from(outcome.stdout).toString('base64') } } });
      if (outcome.stderr) events.push({ event: { data: { stderr: Buffer.from(outcome.stderr).toString('base64') } } });
      const exitCode = outcome.exitCode ?? 0;
      events.push({ event: { end: { exitCode, exited: true, status: `exit status ${exitCode}` } } });
      for (const event of events) response.write(envelope(0, event));
      response.end(envelope(2, {}));
      return;
    }
    if (recorded.method === 'POST' && recorded.path === '/execute') {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(this.execution.map((line) => `${JSON.stringify(line)}\n`).join(''));
      return;
    }
    json(404, { message: `The fake E2B server does not know ${recorded.method} ${recorded.path}` });
  }
}

/** A Connect protocol envelope: flags, big-endian length, JSON message. */
function envelope(flags: number, message: object): Buffer {
  const payload = Buffer.from(JSON.stringify(message));
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
