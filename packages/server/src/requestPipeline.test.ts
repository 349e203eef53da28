import { createServer, type Server } from 'node:http';
import { FragmentkitError } from '@fragmentkit/core';
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, listen } from '../test/listen.js';
import { collectSse } from '../test/readSse.js';
import { finishEvent, fragmentDeltas } from '../test/sampleFragment.js';
import { createScriptedModel } from '../test/scriptedModel.js';
import type { AuthContext } from './auth/authContext.js';
import { createJwtAuth } from './auth/jwtAuth.js';
import { setClientAddress } from './clientAddress.js';
import { createFragmentkit, type FragmentkitConfig } from './fragmentkit.js';
import { createRateLimiter } from './rateLimit/rateLimiter.js';
import { tieredDailyPolicies } from './rateLimit/tieredDailyPolicies.js';

const base = 'http://localhost/api/fragmentkit';
const silentLogger = { info() {}, warn() {}, error() {} };

function setup(config: FragmentkitConfig = {}) {
  return createFragmentkit({ logger: silentLogger, ...config });
}

function chat(init: { headers?: Record<string, string>; address?: string } = {}): Request {
  const request = new Request(`${base}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ input: 'Make a counter' }),
  });
  return setClientAddress(request, init.address);
}

function answeringModel() {
  return createScriptedModel([...fragmentDeltas(), finishEvent]);
}

describe('guest mode', () => {
  it('serves callers without credentials as a guest per IP address, counted by the guest limit', async () => {
    const rateLimit = createRateLimiter({ policies: tieredDailyPolicies({ guest: 1, free: 5 }) });
    const { handler } = setup({ model: answeringModel(), rateLimit });
    const first = await handler(chat({ address: '203.0.113.7' }));
    expect(first.status).toBe(200);
    await collectSse(first.body!);
    expect((await handler(chat({ address: '203.0.113.7' }))).status).toBe(429);
    // Another address is another guest with its own allowance.
    const other = await handler(chat({ address: '198.51.100.2' }));
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });

  it('answers 401 without credentials when guest mode is off, before reading the body', async () => {
    const model = answeringModel();
    const { handler } = setup({ model, guest: false });
    const response = await handler(chat());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        code: 'UNAUTHORIZED',
        message: 'Sign in first: this API needs an access token in the Authorization header (Bearer <token>).',
        details: { reason: 'missing_token' },
      },
    });
    expect(model.requests).toHaveLength(0);
  });

  it('keeps /health public when guest mode is off', async () => {
    const response = await setup({ guest: false }).handler(new Request(`${base}/health`));
    expect(response.status).toBe(200);
  });

  it('uses the auth hook when it finds a caller and guest mode only when it returns null', async () => {
    const seen: AuthContext[] = [];
    const rateLimit = createRateLimiter({
      policies: [
        {
          name: 'observer',
          algorithm: 'token-bucket',
          limit: 100,
          windowMs: 60_000,
          key: (subject) => {
            seen.push(subject as AuthContext);
            return null;
          },
        },
      ],
    });
    const auth = async (request: Request): Promise<AuthContext | null> =>
      request.headers.get('x-user') ? { userId: 'u-1', teamId: 't-1', roles: ['admin'], plan: 'pro' } : null;
    const { handler } = setup({ model: answeringModel(), auth, rateLimit });
    await (await handler(chat({ headers: { 'x-user': 'yes' }, address: '203.0.113.7' }))).body?.cancel();
    await (await handler(chat({ address: '203.0.113.7' }))).body?.cancel();
    expect(seen).toEqual([
      { ip: '203.0.113.7', userId: 'u-1', teamId: 't-1', plan: 'pro', route: '/chat' },
      { ip: '203.0.113.7', plan: 'guest', route: '/chat' },
    ]);
  });

  it('answers 500 without details when the auth hook returns a malformed context', async () => {
    const errors: Record<string, unknown>[] = [];
    const auth = async () => ({ userId: '', teamId: 't', roles: ['root'] }) as unknown as AuthContext;
    const { handler } = createFragmentkit({
      auth,
      logger: { ...silentLogger, error: (fields) => errors.push(fields) },
    });
    const response = await handler(new Request(`${base}/conversations`));
    expect(response.status).toBe(500);
    expect(errors[0]?.errorMessage).toContain('The auth hook returned an invalid AuthContext');
  });

  it('passes an UNAUTHORIZED thrown by the auth hook to the client', async () => {
    const auth = async (): Promise<AuthContext | null> => {
      throw new FragmentkitError('UNAUTHORIZED', 'Your session ended. Sign in again.');
    };
    const response = await setup({ auth }).handler(new Request(`${base}/conversations`));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { message: 'Your session ended. Sign in again.' } });
  });
});

describe('client address', () => {
  async function addressSeen(config: FragmentkitConfig, request: Request): Promise<string | undefined> {
    let seen: string | undefined;
    const rateLimit = createRateLimiter({
      policies: [
        {
          name: 'observer',
          algorithm: 'token-bucket',
          limit: 100,
          windowMs: 60_000,
          key: (subject) => {
            seen = subject.ip;
            return null;
          },
        },
      ],
    });
    await (await setup({ model: answeringModel(), rateLimit, ...config }).handler(request)).body?.cancel();
    return seen;
  }

  const forwarded = { 'x-forwarded-for': '198.51.100.1, 203.0.113.5, 10.0.0.2' };

  it('ignores X-Forwarded-For unless trustProxy says how far to believe it', async () => {
    expect(await addressSeen({}, chat({ headers: forwarded, address: '10.0.0.3' }))).toBe('10.0.0.3');
    expect(await addressSeen({ trustProxy: 1 }, chat({ headers: forwarded, address: '10.0.0.3' }))).toBe('10.0.0.2');
    expect(await addressSeen({ trustProxy: 2 }, chat({ headers: forwarded, address: '10.0.0.3' }))).toBe('203.0.113.5');
    expect(await addressSeen({ trustProxy: true }, chat({ headers: forwarded, address: '10.0.0.3' }))).toBe(
      '198.51.100.1',
    );
  });

  it('normalises IPv4-mapped addresses and drops what is not an address', async () => {
    expect(await addressSeen({}, chat({ address: '::ffff:127.0.0.1' }))).toBe('127.0.0.1');
    expect(await addressSeen({ trustProxy: 1 }, chat({ headers: { 'x-forwarded-for': '<script>' } }))).toBe('unknown');
  });

  it('lets the host find the address itself', async () => {
    const getClientIp = (request: Request) => request.headers.get('cf-connecting-ip');
    const request = chat({ headers: { 'cf-connecting-ip': '2001:db8::1', ...forwarded }, address: '10.0.0.3' });
    expect(await addressSeen({ getClientIp, trustProxy: true }, request)).toBe('2001:db8::1');
  });

  it('does not take the address from a header a client could send', async () => {
    const request = chat({ headers: { 'x-fragmentkit-client-address': '1.2.3.4', 'x-real-ip': '1.2.3.4' } });
    expect(await addressSeen({}, request)).toBe('unknown');
  });
});

describe('rate limits through the handler', () => {
  it('answers 429 with the IETF headers and a RATE_LIMITED body, and sends RateLimit on success', async () => {
    const model = answeringModel();
    let now = Date.UTC(2025, 6, 1);
    const rateLimit = createRateLimiter({
      policies: [
        {
          name: 'burst',
          algorithm: 'sliding-window',
          limit: 1,
          windowMs: 60_000,
          key: (subject) => `ip:${subject.ip}`,
        },
      ],
      clock: { now: () => now },
    });
    const { handler } = setup({ model, rateLimit });
    const admitted = await handler(chat({ address: '203.0.113.7' }));
    expect(admitted.status).toBe(200);
    expect(admitted.headers.get('ratelimit-policy')).toBe('"burst";q=1;w=60');
    expect(admitted.headers.get('ratelimit')).toBe('"burst";r=0;t=60');
    await collectSse(admitted.body!);

    now += 20_000;
    const denied = await handler(chat({ address: '203.0.113.7' }));
    expect(denied.status).toBe(429);
    expect(denied.headers.get('retry-after')).toBe('40');
    expect(denied.headers.get('ratelimit')).toBe('"burst";r=0;t=40');
    expect(denied.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await denied.json()).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Rate limit "burst" reached: 1 request per minute. Retry after 40 s.',
        details: { policy: 'burst', limit: 1, retryAfterSeconds: 40 },
      },
    });
    expect(model.requests).toHaveLength(1);
  });

  it('checks the limit before validating the body, and leaves other routes alone', async () => {
    const rateLimit = createRateLimiter({
      policies: [{ name: 'tiny', algorithm: 'token-bucket', limit: 1, windowMs: 3_600_000, key: () => 'everyone' }],
    });
    const { handler } = setup({ model: answeringModel(), rateLimit });
    const invalid = await handler(new Request(`${base}/chat`, { method: 'POST', body: 'not json' }));
    expect(invalid.status).toBe(415);
    expect(invalid.headers.get('ratelimit')).toBe('"tiny";r=0;t=3600');
    expect((await handler(chat())).status).toBe(429);
    const health = await handler(new Request(`${base}/health`));
    expect(health.status).toBe(200);
    expect(health.headers.get('ratelimit')).toBeNull();
  });
});

describe('CORS and security headers', () => {
  const allowed = 'https://app.example.com';

  function preflight(handler: (request: Request) => Promise<Response>, origin: string, headers = 'content-type') {
    return handler(
      new Request(`${base}/chat`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
      }),
    );
  }

  it('answers an allowed preflight with methods, headers and credentials, before any auth', async () => {
    const auth = async (): Promise<AuthContext | null> => {
      throw new Error('preflights carry no credentials and must not reach auth');
    };
    const { handler } = setup({ auth, cors: { origins: [allowed], credentials: true, maxAgeSeconds: 300 } });
    const response = await preflight(handler, allowed, 'Content-Type, Authorization, Idempotency-Key');
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': allowed,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
      'access-control-allow-headers': 'Content-Type, Authorization, Idempotency-Key',
      'access-control-max-age': '300',
      'x-content-type-options': 'nosniff',
    });
  });

  it('refuses a preflight from another origin with 403 and no CORS headers', async () => {
    const { handler } = setup({ cors: { origins: [allowed] } });
    const response = await preflight(handler, 'https://evil.example.com');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('refuses every cross-origin preflight when cors is not configured', async () => {
    const response = await preflight(setup().handler, allowed);
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toContain('set cors.origins in createFragmentkit');
  });

  it('adds CORS headers to actual responses of allowed origins only', async () => {
    const { handler } = setup({ cors: { origins: [`${allowed}/`] } });
    const ok = await handler(new Request(`${base}/health`, { headers: { origin: allowed } }));
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toContain('ratelimit');
    expect(ok.headers.get('vary')).toContain('origin');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await handler(
      new Request(`${base}/health`, { headers: { origin: 'https://app.example.com.evil.io' } }),
    );
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("answers any origin with '*' and refuses '*' with credentials", async () => {
    const { handler } = setup({ cors: { origins: '*' } });
    const response = await handler(new Request(`${base}/health`, { headers: { origin: 'https://anyone.example' } }));
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(() => setup({ cors: { origins: '*', credentials: true } })).toThrow(/explicit list of origins/);
  });

  it('puts security headers on JSON, error and stream responses', async () => {
    const { handler } = setup({ model: answeringModel() });
    const responses = [
      await handler(new Request(`${base}/health`)),
      await handler(new Request(`${base}/missing`)),
      await handler(new Request(`${base}/chat`)),
      await handler(chat()),
    ];
    for (const response of responses) {
      expect(response.headers.get('x-content-type-options'), response.url).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    expect(responses.slice(0, 3).map((response) => response.headers.get('cache-control'))).toEqual([
      'no-store',
      'no-store',
      'no-store',
    ]);
    expect(responses[3]!.headers.get('cache-control')).toBe('no-cache, no-transform');
    await responses[3]!.body?.cancel();
  });
});

describe('secrets never reach a response', () => {
  const apiKey = 'sk-ant-api03-NEVER-SHOW-THIS-KEY-0123456789';
  let provider: Server;
  let providerUrl: string;

  beforeAll(async () => {
    // A provider that quotes the key back in its error messages, as some do.
    provider = createServer((request, response) => {
      const status = request.url?.includes('/v1/messages') ? 401 : 404;
      response.statusCode = request.headers['x-api-key'] === apiKey ? 400 : status;
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: `Request with key ${apiKey} was rejected` },
        }),
      );
    });
    providerUrl = await listen(provider);
  });

  afterAll(async () => {
    await close(provider);
  });

  it('keeps the provider key and the JWT secret out of health and error bodies', async () => {
    const model = createAnthropicModel({ apiKey, model: 'claude-test', baseURL: providerUrl });
    const jwtSecret = 'jwt-secret-that-must-stay-on-the-server-0123';
    const { handler } = setup({ model, auth: createJwtAuth({ secret: jwtSecret }) });
    const responses = [
      await handler(new Request(`${base}/health`)),
      await handler(chat()),
      await handler(chat({ headers: { authorization: 'Bearer not.a.token' } })),
      await handler(new Request(`${base}/chat`, { method: 'POST', body: 'x' })),
      await handler(new Request(`${base}/nowhere`)),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 502, 401, 415, 404]);
    for (const response of responses) {
      const text = `${JSON.stringify(Object.fromEntries(response.headers))}${await response.text()}`;
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain('NEVER-SHOW');
      expect(text).not.toContain(jwtSecret);
    }
  });
});
