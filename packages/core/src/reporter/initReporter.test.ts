import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ingestPayloadSchema } from '../incidents/incidentEvent.js';
import { createEndpoint, createFakeClock, endpointUrl } from './__fixtures__/testKit.js';
import { initReporter, type ReporterOptions } from './initReporter.js';

const commitVariables = [
  'VERCEL_GIT_COMMIT_SHA',
  'GITHUB_SHA',
  'RENDER_GIT_COMMIT',
  'CF_PAGES_COMMIT_SHA',
  'HEROKU_SLUG_COMMIT',
  'COMMIT_SHA',
  'SOURCE_VERSION',
];

function setup(options: Partial<Omit<ReporterOptions, 'endpoint'>> = {}) {
  const clock = createFakeClock();
  const server = createEndpoint();
  const reporter = initReporter({
    endpoint: endpointUrl,
    key: 'ingest-key-1',
    captureGlobal: false,
    clock,
    fetch: server.fetch,
    ...options,
  });
  const sent = async () => {
    await reporter.flush();
    return server.requests.flatMap((request) => request.body.events);
  };
  return { clock, server, reporter, sent };
}

beforeEach(() => {
  // The machine running the tests may itself be a CI job with GITHUB_SHA set.
  for (const name of commitVariables) vi.stubEnv(name, '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('events', () => {
  it('sends the parsed stack, a fingerprint and the deploy metadata, in the shape the ingest schema accepts', async () => {
    const { reporter, server, sent, clock } = setup({
      release: '1.4.2',
      environment: 'production',
      commitSha: 'a3f9c21',
      repository: 'github.com/acme/shop',
    });
    function submitOrder() {
      return new TypeError('Order 42 failed');
    }
    const error = submitOrder();
    const eventId = reporter.captureException(error, { tags: { feature: 'checkout' }, extra: { orderId: 42 } });
    const [event] = await sent();

    expect(ingestPayloadSchema.safeParse(server.requests[0]?.body).success).toBe(true);
    expect(event).toMatchObject({
      eventId,
      timestamp: new Date(clock.now()).toISOString(),
      level: 'error',
      type: 'TypeError',
      message: 'Order 42 failed',
      release: '1.4.2',
      environment: 'production',
      commitSha: 'a3f9c21',
      repository: 'github.com/acme/shop',
      runtime: { name: 'node', version: process.versions.node },
      tags: { feature: 'checkout' },
      extra: { orderId: 42 },
    });
    expect(event?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const frames = event?.frames as Array<{ function?: string; file?: string; inApp: boolean }>;
    expect(frames[0]).toMatchObject({ function: 'submitOrder', inApp: true });
    expect(frames[0]?.file).toContain('initReporter.test.ts');
  });

  it('gives the same fingerprint to the same bug and a different one to another', async () => {
    const { reporter, sent } = setup();
    const fail = (id: number) => new Error(`Order ${id} failed`);
    const other = () => new Error('Order 1 failed');
    reporter.captureException(fail(1));
    reporter.captureException(fail(2));
    reporter.captureException(other());
    const [first, second, third] = await sent();
    expect(first?.fingerprint).toBe(second?.fingerprint);
    expect(third?.fingerprint).not.toBe(first?.fingerprint);
  });

  it('applies the context: level, tags, extra and a custom fingerprint', async () => {
    const { reporter, sent } = setup();
    reporter.captureException(new Error('a'), { level: 'warning', fingerprint: ['payments', 'declined'] });
    reporter.captureException(new RangeError('b'), { fingerprint: ['payments', 'declined'] });
    const [first, second] = await sent();
    expect(first?.level).toBe('warning');
    expect(first?.fingerprint).toBe(second?.fingerprint);
  });

  it('captures messages at info level by default', async () => {
    const { reporter, sent } = setup();
    reporter.captureMessage('Cache warmed in 42 ms');
    reporter.captureMessage('Disk almost full', 'warning');
    expect(await sent()).toMatchObject([
      { type: 'Message', message: 'Cache warmed in 42 ms', level: 'info', frames: [] },
      { type: 'Message', message: 'Disk almost full', level: 'warning', frames: [] },
    ]);
  });

  it('describes thrown values that are not errors', async () => {
    const { reporter, sent } = setup();
    reporter.captureException('plain string');
    reporter.captureException({ code: 'E_TIMEOUT', retry: true });
    reporter.captureException(42);
    reporter.captureException(null);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    reporter.captureException(circular);
    expect((await sent()).map(({ type, message }) => ({ type, message }))).toEqual([
      { type: 'Error', message: 'plain string' },
      { type: 'NonError', message: '{"code":"E_TIMEOUT","retry":true}' },
      { type: 'NonError', message: '42' },
      { type: 'NonError', message: 'null' },
      { type: 'NonError', message: '[object Object]' },
    ]);
  });

  it('reports an error object once even when it is captured again (captured, then rethrown)', async () => {
    const { reporter, sent } = setup();
    const error = new Error('once');
    expect(reporter.captureException(error)).toEqual(expect.any(String));
    expect(reporter.captureException(error)).toBeUndefined();
    expect(await sent()).toHaveLength(1);
  });

  it('reads the commit from the deploy platform but never sends the environment', async () => {
    vi.stubEnv('GITHUB_SHA', ' 9fceb02d0ae598e95dc970b74767f19372d61af8 ');
    vi.stubEnv('DATABASE_URL', 'postgres://admin:hunter2@db.internal/shop');
    const { reporter, server, sent } = setup();
    reporter.captureException(new Error('x'));
    const [event] = await sent();
    expect(event?.commitSha).toBe('9fceb02d0ae598e95dc970b74767f19372d61af8');
    expect(JSON.stringify(server.requests)).not.toContain('hunter2');
    expect(JSON.stringify(server.requests)).not.toContain('DATABASE_URL');

    const configured = setup({ commitSha: 'a3f9c21' });
    configured.reporter.captureException(new Error('y'));
    expect((await configured.sent())[0]?.commitSha).toBe('a3f9c21');
  });
});

describe('scrubbing', () => {
  it('redacts secrets and e-mail addresses from the message, the stack, tags and extra', async () => {
    const { reporter, server, sent } = setup();
    const error = new Error('401 for ana@example.com using sk-proj-4fA9cD2eF7gH1iJ3kL5mN8oP');
    error.stack = [
      'Error: 401 for ana@example.com using sk-proj-4fA9cD2eF7gH1iJ3kL5mN8oP',
      '    at callApi (https://app.test/assets/index-CjXmhfA1.js?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl:1:200)',
    ].join('\n');
    reporter.captureException(error, {
      tags: { user: 'ana@example.com' },
      extra: {
        headers: { authorization: 'Bearer abcdefgh12345678' },
        password: 'hunter2',
        note: 'call ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      },
    });
    const [event] = await sent();
    expect(event?.message).toBe('401 for [email] using [redacted]');
    expect(event?.frames).toEqual([
      {
        function: 'callApi',
        file: 'https://app.test/assets/index-CjXmhfA1.js?token=[redacted]',
        line: 1,
        column: 200,
        inApp: true,
        raw: 'at callApi (https://app.test/assets/index-CjXmhfA1.js?token=[redacted]:1:200)',
      },
    ]);
    expect(event?.tags).toEqual({ user: '[email]' });
    expect(event?.extra).toEqual({
      headers: { authorization: 'Bearer [redacted]' },
      password: '[redacted]',
      note: 'call [redacted]',
    });
    const wire = JSON.stringify(server.requests);
    for (const secret of ['ana@example.com', 'sk-proj-', 'eyJhbGci', 'hunter2', 'abcdefgh12345678', 'ghp_']) {
      expect(wire).not.toContain(secret);
    }
  });

  it('drops extra that cannot be sent, and keeps the event', async () => {
    const { reporter, sent } = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    reporter.captureException(new Error('a'), { extra: circular });
    reporter.captureException(new Error('b'), { extra: { big: 'x'.repeat(20_000) } });
    reporter.captureException(new Error('c'), { extra: { id: 10n } as Record<string, unknown> });
    const events = await sent();
    expect(events.map((event) => [event.message, event.extra])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', undefined],
    ]);
  });

  it('trims events to the ingest limits', async () => {
    const { reporter, server } = setup();
    const error = new Error('m'.repeat(20_000));
    error.name = 'N'.repeat(500);
    reporter.captureException(error, {
      tags: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`tag${index}`, 'v'.repeat(300)])),
    });
    await reporter.flush();
    expect(ingestPayloadSchema.safeParse(server.requests[0]?.body).success).toBe(true);
  });
});

describe('sampling and beforeSend', () => {
  it('keeps the share of events sampleRate asks for, using the injected random', async () => {
    const draws = [0.1, 0.3, 0.24, 0.25, 0.9];
    const { reporter, sent } = setup({ sampleRate: 0.25, random: () => draws.shift() ?? 0.99 });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((message) => reporter.captureException(new Error(message)));
    expect(ids.map((id) => id !== undefined)).toEqual([true, false, true, false, false]);
    expect((await sent()).map((event) => event.message)).toEqual(['a', 'c']);
  });

  it('sends nothing at sampleRate 0', async () => {
    const { reporter, server } = setup({ sampleRate: 0 });
    reporter.captureException(new Error('a'));
    await reporter.flush();
    expect(server.requests).toHaveLength(0);
  });

  it('sends what beforeSend returns and drops what it nulls', async () => {
    const { reporter, sent } = setup({
      beforeSend: (event) => (event.message.includes('ignore') ? null : { ...event, tags: { reviewed: 'yes' } }),
    });
    reporter.captureException(new Error('keep'));
    reporter.captureException(new Error('ignore me'));
    expect(await sent()).toMatchObject([{ message: 'keep', tags: { reviewed: 'yes' } }]);
  });

  it('drops the event when beforeSend throws, warning once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { reporter, server } = setup({
      beforeSend: () => {
        throw new Error('bug in hook');
      },
    });
    expect(() => {
      reporter.captureException(new Error('a'));
      reporter.captureException(new Error('b'));
    }).not.toThrow();
    await reporter.flush();
    expect(server.requests).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('bug in hook');
  });
});

describe('configuration', () => {
  it.each([
    ['no key', { endpoint: endpointUrl, key: '' }],
    ['a blank key', { endpoint: endpointUrl, key: '   ' }],
    ['no endpoint', { key: 'k' }],
    ['a relative endpoint outside a browser', { endpoint: '/api/fragmentkit/ingest', key: 'k' }],
    ['a non-http endpoint', { endpoint: 'ftp://example.test/ingest', key: 'k' }],
    ['an endpoint that is not a URL', { endpoint: 'not a url', key: 'k' }],
  ])('warns once and disables itself with %s', async (_name, options) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = createEndpoint();
    const reporter = initReporter({ ...(options as ReporterOptions), fetch: server.fetch, captureGlobal: false });
    expect(reporter.enabled).toBe(false);
    expect(reporter.captureException(new Error('x'))).toBeUndefined();
    expect(reporter.captureMessage('x')).toBeUndefined();
    await reporter.flush();
    await reporter.close();
    expect(server.requests).toHaveLength(0);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('survives being called with nothing at all', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(initReporter(undefined as unknown as ReporterOptions).enabled).toBe(false);
  });

  it('falls back to defaults for nonsense numbers', async () => {
    const { reporter, server, clock } = setup({
      maxBatchSize: -1,
      maxQueueSize: 0,
      flushIntervalMs: Number.NaN,
      sampleRate: Number.NaN,
    });
    for (let index = 0; index < 25; index++) reporter.captureException(new Error(`e${index}`));
    // maxBatchSize 20: a full batch goes at once, the other 5 wait for the 2000 ms interval.
    await clock.settle();
    expect(server.requests.map((request) => request.body.events.length)).toEqual([20]);
    await clock.advance(1999);
    expect(server.requests).toHaveLength(1);
    await clock.advance(1);
    expect(server.requests.map((request) => request.body.events.length)).toEqual([20, 5]);
  });
});

describe('never throws into the host', () => {
  it('swallows failures while describing a hostile value', async () => {
    const { reporter } = setup();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        has() {
          throw new Error('trap');
        },
      },
    );
    expect(() => reporter.captureException(hostile)).not.toThrow();
    expect(() => reporter.captureException(new Error('x'), { tags: hostile as Record<string, string> })).not.toThrow();
    await expect(reporter.flush()).resolves.toBeUndefined();
  });

  it('stops after close(): pending events are flushed, later ones ignored', async () => {
    const { reporter, server } = setup();
    reporter.captureException(new Error('before'));
    await reporter.close();
    expect(reporter.captureException(new Error('after'))).toBeUndefined();
    await reporter.flush();
    expect(server.messages()).toEqual([['before']]);
  });
});
