/**
 * What relaying a streamed answer through the fragmentkit gateway costs.
 *
 * Three ways to get the same streamed answer from the fake provider (OpenAI wire format,
 * 10 text chunks, one every 20 ms, like a real model's token cadence), measured side by side in
 * one run, at 1, 100 and 1,000 concurrent streams:
 *
 * - baseline: the fake provider directly (`POST /v1/chat/completions`, `stream: true`);
 * - gateway: `POST /api/fragmentkit/v1/chat/completions` of `createFragmentkit({ router, gateway })`
 *   on a real Node http server (`toNodeHandler`): auth (guest), router with breaker and
 *   timeouts, the OpenAI provider to the fake, and the OpenAI chunk stream back;
 * - AI SDK: a minimal Node http relay with the Vercel AI SDK (`streamText` with
 *   `@ai-sdk/openai-compatible` pointed at the fake, `pipeTextStreamToResponse`).
 *
 * Time to first byte is the time from sending the request to the first byte of answer text
 * (not headers or an empty role chunk); total is the time to the end of the response. The fake
 * runs in its own process, both relays in another, the client (Node http with keep-alive) in
 * this one; every stream's text is checked. The relay process's CPU time per stream is measured
 * too: latencies depend on what else the machine runs, CPU time much less. Target: the gateway
 * adds at most 1 ms to the median time to first byte at 100 streams, and less than the AI SDK relay.
 *
 * With BENCH_SMOKE=1 it runs 1 and 100 streams once each, to prove it runs and reports.
 *
 * Run from the repository root: pnpm exec tsx bench/relay.bench.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchRow, isBenchSmokeRun, reportBench } from '../scripts/benchReport.js';

const chunkDelayMs = 20;
const chunkSize = 12;
const answer = 'The quick brown fox jumps over the lazy dog; then it naps in the sun for a while, twice a day!.';
const chunks = Math.ceil(answer.length / chunkSize);
const messages = [
  { role: 'system', content: 'Answer briefly.' },
  { role: 'user', content: 'Tell me about the fox.' },
];
/** Streams at once → rounds of that many streams per path. Bounded so the run stays near a minute. */
const levels = isBenchSmokeRun()
  ? [
      { streams: 1, rounds: 1 },
      { streams: 100, rounds: 1 },
    ]
  : [
      { streams: 1, rounds: 30 },
      { streams: 100, rounds: 4 },
      { streams: 1000, rounds: 1 },
    ];
const widest = Math.max(...levels.map((level) => level.streams));
const relays = ['gateway', 'AI SDK'] as const;

type PathName = 'baseline' | 'gateway' | 'AI SDK';

interface Target {
  name: PathName;
  port: number;
  path: string;
  body: string;
  headers: Record<string, string>;
  /** How the response carries text: OpenAI chunks or plain text. */
  format: 'openai-sse' | 'text';
}

/** The samples of one path at one concurrency, and the CPU time the relay process spent on them. */
interface LevelResult {
  streams: number;
  path: PathName;
  samples: Sample[];
  relayCpuMs: number;
}

interface Sample {
  ttfbMs: number;
  totalMs: number;
}

const role = process.argv[2];
if (role === 'fake') await serveFake();
else if (role === 'relays') await serveRelays(process.argv[3]!);
else await main();

/** Child process: the fake provider. */
async function serveFake(): Promise<void> {
  const { startFakeProvider } = await import('../internal/fake-provider/src/index.js');
  const fake = await startFakeProvider({ chunkDelayMs, chunkSize, backlog: 4096, respond: () => ({ text: answer }) });
  console.log(JSON.stringify({ openaiBaseURL: fake.openaiBaseURL, port: Number(new URL(fake.url).port) }));
}

/** Child process: the fragmentkit gateway and the AI SDK relay, both talking to the fake. */
async function serveRelays(openaiBaseURL: string): Promise<void> {
  const { createRouter } = await import('../packages/core/src/router/router.js');
  const { createOpenAIModel } = await import('../packages/core/src/providers/openai.js');
  const { createFragmentkit } = await import('../packages/server/src/fragmentkit.js');
  const { toNodeHandler } = await import('../packages/server/src/node.js');
  const { streamText } = await import('ai');
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const quiet = { info() {}, warn() {}, error() {} };

  const router = createRouter({
    targets: { fake: { model: createOpenAIModel({ apiKey: 'sk-bench', model: 'healthy', baseURL: openaiBaseURL }) } },
    routes: { generate: ['fake'] },
    // The AI SDK relay waits as long as it takes; so does the gateway here, to measure relaying rather than timeouts.
    timeouts: { headersMs: 300_000, firstTokenMs: 300_000, idleMs: 300_000 },
    logger: quiet,
  });
  const fragmentkit = createFragmentkit({ router, gateway: { models: { bench: 'generate' } }, logger: quiet });
  const gateway = createServer(toNodeHandler(fragmentkit, { trustProxy: false }));

  const provider = createOpenAICompatible({ name: 'fake', baseURL: openaiBaseURL, apiKey: 'sk-bench' });
  const aiSdk = createServer(async (incoming, response) => {
    const { messages: sent } = JSON.parse(await readText(incoming)) as { messages: typeof messages };
    const result = streamText({
      model: provider.chatModel('healthy'),
      system: sent[0]!.content,
      prompt: sent[1]!.content,
      maxOutputTokens: 1000,
    });
    result.pipeTextStreamToResponse(response);
  });

  const ports = await Promise.all([gateway, aiSdk].map((server) => listenOn(server)));
  // CPU time is what a relay spends per stream whatever else runs on the machine, so the client asks for it.
  process.on('message', () => process.send?.(process.cpuUsage()));
  console.log(JSON.stringify({ gatewayPort: ports[0], aiSdkPort: ports[1] }));
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const fakeProcess = startChild(['fake']);
    children.push(fakeProcess);
    const fake = JSON.parse(await firstLine(fakeProcess)) as { openaiBaseURL: string; port: number };
    const relaysProcess = startChild(['relays', fake.openaiBaseURL]);
    children.push(relaysProcess);
    const relays = JSON.parse(await firstLine(relaysProcess)) as { gatewayPort: number; aiSdkPort: number };
    const json = { 'content-type': 'application/json' };
    const targets: Target[] = [
      {
        name: 'baseline',
        port: fake.port,
        path: '/v1/chat/completions',
        body: JSON.stringify({ model: 'healthy', messages, max_tokens: 1000, stream: true }),
        headers: { ...json, authorization: 'Bearer sk-bench' },
        format: 'openai-sse',
      },
      {
        name: 'gateway',
        port: relays.gatewayPort,
        path: '/api/fragmentkit/v1/chat/completions',
        body: JSON.stringify({ model: 'bench', messages, max_tokens: 1000, stream: true }),
        headers: { ...json, authorization: 'Bearer sk-client' },
        format: 'openai-sse',
      },
      {
        name: 'AI SDK',
        port: relays.aiSdkPort,
        path: '/relay',
        body: JSON.stringify({ messages }),
        headers: json,
        format: 'text',
      },
    ];
    const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 4096 });

    // Warm-up: opens the connection pools (client → relay → fake) at full width and lets the JIT settle.
    for (const target of targets) {
      await round(agent, target, widest);
      for (let index = 0; index < (isBenchSmokeRun() ? 1 : 10); index += 1) await round(agent, target, 1);
    }

    const results: LevelResult[] = [];
    const started = performance.now();
    for (const { streams, rounds } of levels) {
      const byPath = new Map<PathName, LevelResult>(
        targets.map((target) => [target.name, { streams, path: target.name, samples: [], relayCpuMs: 0 }]),
      );
      for (let index = 0; index < rounds; index += 1) {
        // Rotating the order keeps drift (GC, CPU frequency) from favouring one path.
        for (const target of rotate(targets, index)) {
          const result = byPath.get(target.name)!;
          const cpuBefore = await cpuUsageOf(relaysProcess);
          result.samples.push(...(await round(agent, target, streams)));
          const cpuAfter = await cpuUsageOf(relaysProcess);
          result.relayCpuMs += (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000;
        }
      }
      results.push(...byPath.values());
    }
    const elapsedS = (performance.now() - started) / 1000;
    agent.destroy();
    report(results, elapsedS);
  } finally {
    for (const child of children) child.kill();
  }
}

/** `streams` answers at once from one target; rejects when any answer is not the whole text. */
async function round(agent: Agent, target: Target, streams: number): Promise<Sample[]> {
  return Promise.all(Array.from({ length: streams }, () => streamOnce(agent, target)));
}

function streamOnce(agent: Agent, target: Target): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstText: number | undefined;
    let body = '';
    const outgoing = request(
      {
        agent,
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: 'POST',
        headers: { ...target.headers, 'content-length': Buffer.byteLength(target.body) },
      },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (firstText === undefined && carriesText(chunk, target.format)) firstText = performance.now();
          body += chunk;
        });
        response.on('end', () => {
          const end = performance.now();
          const text = target.format === 'text' ? body : textOfSse(body);
          if (response.statusCode !== 200 || text !== answer || firstText === undefined) {
            return reject(
              new Error(`${target.name}: status ${response.statusCode}, got ${JSON.stringify(body.slice(0, 300))}`),
            );
          }
          resolve({ ttfbMs: firstText - start, totalMs: end - start });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(target.body);
  });
}

/** True once a chunk holds answer text: a non-empty `content` in OpenAI's format, any byte in plain text. */
function carriesText(chunk: string, format: Target['format']): boolean {
  return format === 'text' ? chunk.length > 0 : /"content":"[^"]/.test(chunk);
}

function textOfSse(body: string): string {
  let text = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const chunk = JSON.parse(line.slice('data: '.length)) as { choices?: Array<{ delta?: { content?: string } }> };
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

function report(results: LevelResult[], elapsedS: number): void {
  const resultOf = (streams: number, path: PathName) =>
    results.find((result) => result.streams === streams && result.path === path)!;
  const stats = (streams: number, path: PathName) => summarize(resultOf(streams, path).samples);
  const cpuPerStream = (streams: number, path: PathName) =>
    resultOf(streams, path).relayCpuMs / resultOf(streams, path).samples.length;
  const ms = (value: number) => value.toFixed(2);
  const lines = [
    `Relay of a streamed answer: ${chunks} chunks of ${chunkSize} characters, one every ${chunkDelayMs} ms from the fake provider.`,
    `Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}; fake, relays and client in three processes on loopback; measured in ${elapsedS.toFixed(1)} s.`,
    '',
    '| streams | path | samples | TTFB p50 (ms) | TTFB p99 (ms) | total p50 (ms) | total p99 (ms) | added TTFB p50 (ms) | TTFB p50 ratio | total p50 ratio | relay CPU per stream (ms) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows: BenchRow[] = [];
  for (const { streams } of levels) {
    const baseline = stats(streams, 'baseline');
    for (const path of ['baseline', ...relays] as const) {
      const own = stats(streams, path);
      const added = own.ttfbP50 - baseline.ttfbP50;
      lines.push(
        `| ${streams} | ${path} | ${own.samples} | ${ms(own.ttfbP50)} | ${ms(own.ttfbP99)} | ${ms(own.totalP50)} | ${ms(own.totalP99)} | ${path === 'baseline' ? '—' : ms(added)} | ${(own.ttfbP50 / baseline.ttfbP50).toFixed(3)} | ${(own.totalP50 / baseline.totalP50).toFixed(3)} | ${path === 'baseline' ? '—' : ms(cpuPerStream(streams, path))} |`,
      );
      if (path === 'baseline') continue;
      const target = path === 'gateway' && streams === 100 ? '≤ 1 ms added' : null;
      rows.push(
        {
          figure: `TTFB p50, ${path}, ${streams} streams`,
          value: own.ttfbP50,
          unit: 'ms',
          baseline: baseline.ttfbP50,
          ratio: own.ttfbP50 / baseline.ttfbP50,
          target,
          met: target === null ? null : added <= 1,
        },
        {
          figure: `total p50, ${path}, ${streams} streams`,
          value: own.totalP50,
          unit: 'ms',
          baseline: baseline.totalP50,
          ratio: own.totalP50 / baseline.totalP50,
          target: null,
          met: null,
        },
      );
    }
  }
  for (const { streams } of levels) {
    const gatewayCpu = cpuPerStream(streams, 'gateway');
    const aiSdkCpu = cpuPerStream(streams, 'AI SDK');
    rows.push({
      figure: `relay CPU per stream, gateway vs AI SDK relay, ${streams} streams`,
      value: gatewayCpu,
      unit: 'ms',
      baseline: aiSdkCpu,
      ratio: gatewayCpu / aiSdkCpu,
      target: null,
      met: null,
    });
  }
  const added = (path: PathName, streams: number) => stats(streams, path).ttfbP50 - stats(streams, 'baseline').ttfbP50;
  const gateway100 = added('gateway', 100);
  const aiSdk100 = added('AI SDK', 100);
  rows.push({
    figure: 'added TTFB p50 at 100 streams, gateway vs AI SDK relay',
    value: gateway100,
    unit: 'ms',
    baseline: aiSdk100,
    ratio: aiSdk100 === 0 ? null : gateway100 / aiSdk100,
    target: 'lower than the AI SDK relay',
    met: gateway100 < aiSdk100,
  });
  lines.push(
    '',
    `At 100 streams the gateway adds ${ms(gateway100)} ms to the median time to first byte (target ≤ 1 ms: ${gateway100 <= 1 ? 'met' : 'missed'}); the AI SDK relay adds ${ms(aiSdk100)} ms (gateway lower: ${gateway100 < aiSdk100 ? 'yes' : 'no'}).`,
  );
  console.log(lines.join('\n'));

  const series = (path: PathName, percentile: 'ttfbP50' | 'ttfbP99') => ({
    name: `${path} ${percentile === 'ttfbP50' ? 'p50' : 'p99'}`,
    points: levels.map(({ streams }): [number, number] => [
      streams,
      stats(streams, path)[percentile] - stats(streams, 'baseline')[percentile],
    ]),
  });
  reportBench({
    rows,
    charts: [
      {
        id: 'relay-overhead',
        title: 'Time to first byte added by a relay, against the provider directly',
        xLabel: 'concurrent streams',
        yLabel: 'added time to first byte, ms',
        series: relays.flatMap((path) => [series(path, 'ttfbP50'), series(path, 'ttfbP99')]),
      },
    ],
  });
}

function summarize(samples: Sample[]) {
  const ttfb = samples.map((sample) => sample.ttfbMs).sort((a, b) => a - b);
  const total = samples.map((sample) => sample.totalMs).sort((a, b) => a - b);
  return {
    samples: samples.length,
    ttfbP50: percentile(ttfb, 0.5),
    ttfbP99: percentile(ttfb, 0.99),
    totalP50: percentile(total, 0.5),
    totalP99: percentile(total, 0.99),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** This file again, as a child process with the same loader, running workspace packages from source. */
function startChild(args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    [...process.execArgv, '--conditions=@fragmentkit/source', fileURLToPath(import.meta.url), ...args],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  let onExit: ((code: number | null) => void) | undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`a benchmark process exited early (code ${code})`));
    child.once('exit', onExit);
  });
  try {
    return await Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
  } finally {
    child.off('exit', onExit!);
    lines.close();
  }
}

function listenOn(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', 4096, () => resolve((server.address() as AddressInfo).port)),
  );
}

async function readText(incoming: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of incoming) text += chunk;
  return text;
}

/** The relay process's CPU time so far, asked over IPC. */
function cpuUsageOf(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    child.once('message', (usage) => resolve(usage as NodeJS.CpuUsage));
    child.send('cpu');
  });
}
