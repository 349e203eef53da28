import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metricsRegistry.js';
import { toPrometheusText } from './prometheusText.js';

describe('toPrometheusText', () => {
  it('renders counters, gauges and histograms in the text exposition format', () => {
    const registry = createMetricsRegistry();
    const requests = registry.counter({
      name: 'http_requests_total',
      help: 'Requests answered.',
      labelNames: ['method', 'route'],
    });
    requests.inc({ method: 'POST', route: '/chat' }, 3);
    requests.inc({ method: 'GET', route: '/health' });
    registry.gauge({ name: 'in_flight', help: 'Requests in flight.' }).set({}, 2);
    const latency = registry.histogram({
      name: 'latency_seconds',
      help: 'Latency.',
      labelNames: ['route'],
      buckets: [0.05, 0.5, 2.5],
    });
    latency.observe({ route: '/chat' }, 0.25);
    latency.observe({ route: '/chat' }, 0.75);
    latency.observe({ route: '/chat' }, 3);

    expect(toPrometheusText(registry.snapshot())).toBe(
      [
        '# HELP http_requests_total Requests answered.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="POST",route="/chat"} 3',
        'http_requests_total{method="GET",route="/health"} 1',
        '# HELP in_flight Requests in flight.',
        '# TYPE in_flight gauge',
        'in_flight 2',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{route="/chat",le="0.05"} 0',
        'latency_seconds_bucket{route="/chat",le="0.5"} 1',
        'latency_seconds_bucket{route="/chat",le="2.5"} 2',
        'latency_seconds_bucket{route="/chat",le="+Inf"} 3',
        'latency_seconds_sum{route="/chat"} 4',
        'latency_seconds_count{route="/chat"} 3',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslashes, quotes and line breaks in label values, and backslashes and line breaks in help', () => {
    const registry = createMetricsRegistry();
    registry
      .counter({ name: 'odd_total', help: 'Paths like C:\\temp\nand more.', labelNames: ['path'] })
      .inc({ path: 'C:\\dir\\"quoted"\nnext' });
    expect(toPrometheusText(registry.snapshot())).toBe(
      [
        '# HELP odd_total Paths like C:\\\\temp\\nand more.',
        '# TYPE odd_total counter',
        'odd_total{path="C:\\\\dir\\\\\\"quoted\\"\\nnext"} 1',
        '',
      ].join('\n'),
    );
  });

  it('writes HELP and TYPE for a labelled metric without series, and special float values by name', () => {
    const registry = createMetricsRegistry();
    registry.counter({ name: 'unused_total', help: 'Nothing yet.', labelNames: ['route'] });
    registry.observe({
      type: 'gauge',
      name: 'ratio',
      help: 'Ratios.',
      collect: () => [
        { labels: { kind: 'up' }, value: Number.POSITIVE_INFINITY },
        { labels: { kind: 'down' }, value: Number.NEGATIVE_INFINITY },
        { labels: { kind: 'none' }, value: Number.NaN },
        { labels: { kind: 'small' }, value: 1e-7 },
      ],
    });
    expect(toPrometheusText(registry.snapshot())).toBe(
      [
        '# HELP unused_total Nothing yet.',
        '# TYPE unused_total counter',
        '# HELP ratio Ratios.',
        '# TYPE ratio gauge',
        'ratio{kind="up"} +Inf',
        'ratio{kind="down"} -Inf',
        'ratio{kind="none"} NaN',
        'ratio{kind="small"} 1e-7',
        '',
      ].join('\n'),
    );
  });
});
