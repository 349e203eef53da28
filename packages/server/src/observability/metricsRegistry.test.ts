import { FragmentkitError } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { estimateQuantile } from './histogramQuantile.js';
import { createMetricsRegistry } from './metricsRegistry.js';

describe('createMetricsRegistry', () => {
  it('counts per label set and starts a label-less metric at 0', () => {
    const registry = createMetricsRegistry();
    const requests = registry.counter({ name: 'requests_total', help: 'Requests.', labelNames: ['route', 'status'] });
    const starts = registry.counter({ name: 'starts_total', help: 'Starts.' });
    requests.inc({ route: '/chat', status: '200' });
    requests.inc({ route: '/chat', status: '200' }, 2);
    requests.inc({ route: '/chat', status: '500' });
    requests.inc({ route: '/health' });

    expect(requests.get({ route: '/chat', status: '200' })).toBe(3);
    expect(requests.get({ route: '/nope', status: '200' })).toBe(0);
    expect(requests.samples()).toEqual([
      { labels: { route: '/chat', status: '200' }, value: 3 },
      { labels: { route: '/chat', status: '500' }, value: 1 },
      // A label left out is the empty string, as in Prometheus.
      { labels: { route: '/health', status: '' }, value: 1 },
    ]);
    expect(starts.samples()).toEqual([{ labels: {}, value: 0 }]);
  });

  it('lets gauges go up, down and be set', () => {
    const registry = createMetricsRegistry();
    const inFlight = registry.gauge({ name: 'in_flight', help: 'In flight.' });
    inFlight.inc();
    inFlight.inc({}, 4);
    inFlight.dec();
    expect(inFlight.get()).toBe(4);
    inFlight.set({}, -2);
    expect(inFlight.get()).toBe(-2);
  });

  it('counts each observation into the first bucket whose bound is at or above it', () => {
    const registry = createMetricsRegistry();
    const latency = registry.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 0.5, 1] });
    for (const value of [0.05, 0.1, 0.3, 0.5, 0.7, 2, 9]) latency.observe({}, value);

    const [sample] = latency.samples();
    expect(sample?.buckets).toEqual([
      { le: 0.1, count: 2 },
      { le: 0.5, count: 4 },
      { le: 1, count: 5 },
      { le: Number.POSITIVE_INFINITY, count: 7 },
    ]);
    expect(sample?.count).toBe(7);
    expect(sample?.sum).toBeCloseTo(12.65, 10);
  });

  it('estimates quantiles per series and over all series together', () => {
    const registry = createMetricsRegistry();
    const latency = registry.histogram({
      name: 'latency_seconds',
      help: 'Latency.',
      labelNames: ['route'],
      buckets: [0.1, 0.5, 1],
    });
    // /a: 2 in (0, 0.1], 6 in (0.1, 0.5], 2 in (0.5, 1].
    for (const value of [0.05, 0.05, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.7, 0.7]) latency.observe({ route: '/a' }, value);
    latency.observe({ route: '/b' }, 0.9);

    // Rank 5 of 10 falls 3/6 into (0.1, 0.5].
    expect(latency.quantile(0.5, { route: '/a' })).toBeCloseTo(0.3, 10);
    // Rank 9.5 falls 1.5/2 into (0.5, 1].
    expect(latency.quantile(0.95, { route: '/a' })).toBeCloseTo(0.875, 10);
    expect(latency.quantile(0.5, { route: '/b' })).toBeCloseTo(0.75, 10);
    expect(latency.quantile(0.5, { route: '/c' })).toBeUndefined();
    // All 11 together: rank 5.5 falls 3.5/6 into (0.1, 0.5].
    expect(latency.quantile(0.5)).toBeCloseTo(0.1 + (0.4 * 3.5) / 6, 10);
  });

  it('reads observed metrics when the registry is read', () => {
    const registry = createMetricsRegistry();
    let depth = 3;
    registry.observe({
      type: 'gauge',
      name: 'queue_depth',
      help: 'Depth.',
      collect: () => [{ labels: {}, value: depth }],
    });
    depth = 5;
    expect(registry.snapshot()).toEqual([
      { type: 'gauge', name: 'queue_depth', help: 'Depth.', samples: [{ labels: {}, value: 5 }] },
    ]);
  });

  it('refuses programming mistakes with INVALID_REQUEST', () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'a_total', help: 'A.', labelNames: ['route'] });
    const mistakes = [
      () => registry.counter({ name: 'a_total', help: 'Again.' }),
      () => registry.counter({ name: 'bad-name', help: 'Dash.' }),
      () => registry.counter({ name: 'b_total', help: 'B.', labelNames: ['__reserved'] }),
      () => registry.histogram({ name: 'c', help: 'C.', labelNames: ['le'], buckets: [1] }),
      () => registry.histogram({ name: 'd', help: 'D.', buckets: [1, 0.5] }),
      () => registry.histogram({ name: 'e', help: 'E.', buckets: [] }),
      () => counter.inc({ route: '/x' }, -1),
      () => counter.inc({ status: '200' } as never),
    ];
    for (const mistake of mistakes) {
      expect(mistake).toThrow(FragmentkitError);
      try {
        mistake();
      } catch (error) {
        expect((error as FragmentkitError).code).toBe('INVALID_REQUEST');
      }
    }
  });
});

describe('estimateQuantile', () => {
  const buckets = [
    { le: 0.1, count: 2 },
    { le: 0.5, count: 8 },
    { le: 1, count: 10 },
    { le: Number.POSITIVE_INFINITY, count: 10 },
  ];

  it('interpolates linearly inside the bucket the rank falls into', () => {
    expect(estimateQuantile(buckets, 0.5)).toBeCloseTo(0.3, 10);
    expect(estimateQuantile(buckets, 0.1)).toBeCloseTo(0.05, 10);
    expect(estimateQuantile(buckets, 1)).toBe(1);
  });

  it('answers where the first observation lies for q = 0, not the start of empty buckets', () => {
    const later = [
      { le: 0.1, count: 0 },
      { le: 0.5, count: 4 },
      { le: Number.POSITIVE_INFINITY, count: 4 },
    ];
    expect(estimateQuantile(later, 0)).toBe(0.1);
  });

  it('answers the highest finite bound for ranks in the +Inf bucket', () => {
    const tail = [
      { le: 0.1, count: 1 },
      { le: 1, count: 2 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ];
    expect(estimateQuantile(tail, 0.99)).toBe(1);
  });

  it('is undefined without observations and refuses q outside [0, 1]', () => {
    expect(estimateQuantile([{ le: Number.POSITIVE_INFINITY, count: 0 }], 0.5)).toBeUndefined();
    expect(() => estimateQuantile(buckets, 1.5)).toThrow(/within \[0, 1\]/);
    expect(() => estimateQuantile(buckets, Number.NaN)).toThrow(/within \[0, 1\]/);
  });
});
