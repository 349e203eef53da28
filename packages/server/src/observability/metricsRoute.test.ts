import { describe, expect, it } from 'vitest';
import { createFragmentkit } from '../fragmentkit.js';
import { createMetricsRegistry } from './metricsRegistry.js';

const metricsUrl = 'http://localhost/api/fragmentkit/metrics';
const silentLogger = { info() {}, warn() {}, error() {} };

function scrape(headers: Record<string, string> = {}) {
  return new Request(metricsUrl, { headers });
}

describe('GET /metrics', () => {
  it('is not served unless Prometheus is turned on', async () => {
    const { handler } = createFragmentkit({ logger: silentLogger });
    expect((await handler(scrape())).status).toBe(404);
  });

  it('serves the text exposition format, including the request metrics of earlier requests', async () => {
    const { handler } = createFragmentkit({ logger: silentLogger, metrics: { prometheus: true } });
    await handler(new Request('http://localhost/api/fragmentkit/health'));

    const response = await handler(scrape());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text).toContain('# TYPE fragmentkit_http_requests_total counter\n');
    expect(text).toContain('fragmentkit_http_requests_total{method="GET",route="/health",status="200"} 1\n');
    expect(text).toContain(
      'fragmentkit_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"} 1\n',
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('answers 401 with a Bearer challenge without the token or with another one', async () => {
    const { handler } = createFragmentkit({
      logger: silentLogger,
      metrics: { prometheus: true, token: 'metrics-secret-123' },
    });

    const missing = await handler(scrape());
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="fragmentkit"');
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');

    const wrong = await handler(scrape({ authorization: 'Bearer metrics-secret-124' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="fragmentkit", error="invalid_token"');
    expect(await wrong.text()).not.toContain('metrics-secret');

    const basic = await handler(scrape({ authorization: `Basic ${btoa('user:metrics-secret-123')}` }));
    expect(basic.status).toBe(401);

    const right = await handler(scrape({ authorization: 'Bearer metrics-secret-123' }));
    expect(right.status).toBe(200);
    // The refused scrapes were counted too.
    expect(await right.text()).toContain(
      'fragmentkit_http_requests_total{method="GET",route="/metrics",status="401"} 3\n',
    );
  });

  it('refuses an empty token at start-up', () => {
    expect(() => createFragmentkit({ metrics: { prometheus: true, token: ' ' } })).toThrow(/metrics.token is empty/);
  });

  it('adds its metrics to a registry the host passes, next to the host’s own', async () => {
    const registry = createMetricsRegistry();
    registry.counter({ name: 'app_signups_total', help: 'Sign-ups.' }).inc();
    const { handler, metrics } = createFragmentkit({ logger: silentLogger, metrics: { prometheus: true, registry } });

    expect(metrics.registry).toBe(registry);
    const text = await (await handler(scrape())).text();
    expect(text).toContain('app_signups_total 1\n');
    expect(text).toContain('# TYPE fragmentkit_http_requests_in_flight gauge\n');
  });
});
