import { FragmentkitError } from '@fragmentkit/core';
import { estimateQuantile } from './histogramQuantile.js';

/**
 * Label values of one series, by label name. A label left out counts as the empty string,
 * as in Prometheus.
 *
 * @example
 * ```ts
 * const labels: MetricLabels<'route' | 'status'> = { route: '/chat', status: '200' };
 * ```
 */
export type MetricLabels<Label extends string = string> = Partial<Record<Label, string>>;

/**
 * One series of a counter or gauge in a {@link MetricsSnapshot}.
 *
 * @example
 * ```ts
 * const sample: MetricSample = { labels: { route: '/chat' }, value: 42 };
 * ```
 */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * One series of a histogram in a {@link MetricsSnapshot}. `buckets` are cumulative, as in the
 * Prometheus exposition: each holds the observations at or below its `le`, and the last one
 * (`le: Infinity`) holds all of them.
 *
 * @example
 * ```ts
 * const sample: HistogramSample = {
 *   labels: { route: '/chat' },
 *   buckets: [{ le: 0.1, count: 3 }, { le: 1, count: 9 }, { le: Infinity, count: 10 }],
 *   sum: 4.2,
 *   count: 10,
 * };
 * ```
 */
export interface HistogramSample {
  labels: Readonly<Record<string, string>>;
  buckets: ReadonlyArray<{ le: number; count: number }>;
  sum: number;
  count: number;
}

/**
 * A metric with all its series at one moment.
 *
 * @example
 * ```ts
 * for (const family of registry.snapshot()) {
 *   if (family.type === 'histogram') console.log(family.name, family.samples.length, 'series');
 * }
 * ```
 */
export type MetricFamily =
  | { type: 'counter' | 'gauge'; name: string; help: string; samples: MetricSample[] }
  | { type: 'histogram'; name: string; help: string; samples: HistogramSample[] };

/**
 * Every metric of a registry, in the order they were registered.
 *
 * @example
 * ```ts
 * const snapshot: MetricsSnapshot = registry.snapshot();
 * ```
 */
export type MetricsSnapshot = MetricFamily[];

/**
 * What a counter, gauge or histogram is registered with.
 *
 * @example
 * ```ts
 * const options: MetricOptions<'route'> = { name: 'app_jobs_total', help: 'Jobs run.', labelNames: ['route'] };
 * ```
 */
export interface MetricOptions<Label extends string = never> {
  /** A Prometheus metric name: letters, digits, `_` and `:`; counters end in `_total` by convention. */
  name: string;
  /** One line that says what is counted, shown as `# HELP`. */
  help: string;
  /** The labels series may carry; any other label is an error. */
  labelNames?: readonly Label[];
}

/**
 * A value that only goes up, e.g. requests served.
 *
 * @example
 * ```ts
 * const served = registry.counter({ name: 'app_requests_total', help: 'Requests.', labelNames: ['route'] });
 * served.inc({ route: '/chat' });
 * served.get({ route: '/chat' }); // 1
 * ```
 */
export interface Counter<Label extends string = never> {
  /** Adds `amount` (default 1; never negative) to the series of `labels`. */
  inc(labels?: MetricLabels<Label>, amount?: number): void;
  get(labels?: MetricLabels<Label>): number;
  /** Every series with its labels. */
  samples(): MetricSample[];
}

/**
 * A value that goes up and down, e.g. requests in flight.
 *
 * @example
 * ```ts
 * const inFlight = registry.gauge({ name: 'app_requests_in_flight', help: 'Requests being served.' });
 * inFlight.inc();
 * inFlight.dec();
 * ```
 */
export interface Gauge<Label extends string = never> {
  set(labels: MetricLabels<Label>, value: number): void;
  inc(labels?: MetricLabels<Label>, amount?: number): void;
  dec(labels?: MetricLabels<Label>, amount?: number): void;
  get(labels?: MetricLabels<Label>): number;
  samples(): MetricSample[];
}

/**
 * Observations counted into fixed buckets, e.g. request latencies in seconds, with their sum
 * and count; quantiles are estimated from the buckets.
 *
 * @example
 * ```ts
 * const latency = registry.histogram({ name: 'app_latency_seconds', help: 'Latency.', buckets: [0.1, 0.5, 1] });
 * latency.observe({}, 0.3);
 * latency.quantile(0.95); // 0.48: 95% of the way through the bucket (0.1, 0.5]
 * ```
 */
export interface Histogram<Label extends string = never> {
  observe(labels: MetricLabels<Label>, value: number): void;
  /**
   * The `q`-quantile (0 ≤ q ≤ 1) of the series of `labels`, or of all series together when
   * `labels` is left out; `undefined` before the first observation. See {@link estimateQuantile}.
   */
  quantile(q: number, labels?: MetricLabels<Label>): number | undefined;
  samples(): HistogramSample[];
}

/**
 * A counter or gauge whose values are read when the registry is read, from something that
 * keeps its own numbers (a rate limiter's counters, a router's circuits). `collect` must not
 * throw and must be fast: it runs on every snapshot and scrape.
 *
 * @example
 * ```ts
 * registry.observe({
 *   type: 'gauge',
 *   name: 'app_queue_depth',
 *   help: 'Jobs waiting.',
 *   collect: () => [{ labels: {}, value: queue.size }],
 * });
 * ```
 */
export interface ObservedMetricOptions {
  type: 'counter' | 'gauge';
  name: string;
  help: string;
  collect(): MetricSample[];
}

/**
 * A set of metrics that lives in the process, with no dependency: counters, gauges and
 * histograms with fixed buckets. Names are unique within a registry.
 *
 * @example
 * ```ts
 * const registry = createMetricsRegistry();
 * const jobs = registry.counter({ name: 'app_jobs_total', help: 'Jobs run.', labelNames: ['outcome'] });
 * jobs.inc({ outcome: 'ok' });
 * const text = toPrometheusText(registry.snapshot());
 * ```
 */
export interface MetricsRegistry {
  counter<Label extends string = never>(options: MetricOptions<Label>): Counter<Label>;
  gauge<Label extends string = never>(options: MetricOptions<Label>): Gauge<Label>;
  histogram<Label extends string = never>(
    options: MetricOptions<Label> & { buckets: readonly number[] },
  ): Histogram<Label>;
  observe(options: ObservedMetricOptions): void;
  snapshot(): MetricsSnapshot;
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Creates an empty {@link MetricsRegistry}. Registering a name twice, an invalid name or
 * label, or unsorted buckets throws `INVALID_REQUEST`: these are programming errors, caught
 * at start-up.
 *
 * @example
 * ```ts
 * import { createMetricsRegistry, toPrometheusText } from '@fragmentkit/server';
 *
 * const registry = createMetricsRegistry();
 * const latency = registry.histogram({
 *   name: 'app_request_duration_seconds',
 *   help: 'Request latency.',
 *   labelNames: ['route'],
 *   buckets: [0.05, 0.1, 0.5, 1, 5],
 * });
 * latency.observe({ route: '/export' }, 0.42);
 * console.log(latency.quantile(0.5, { route: '/export' }));
 * ```
 */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, () => MetricFamily>();

  function register(name: string, read: () => MetricFamily): void {
    if (!metricNamePattern.test(name)) invalid(`"${name}" is not a valid metric name.`);
    if (families.has(name)) invalid(`A metric named "${name}" is already registered.`);
    families.set(name, read);
  }

  return {
    counter(options) {
      const series = createSeries(options.name, options.labelNames ?? [], () => 0);
      const counter: Counter<never> = {
        inc(labels, amount = 1) {
          if (!(amount >= 0)) invalid(`Counter ${options.name} can only go up; got ${amount}.`);
          series.update(labels, (value) => value + amount);
        },
        get: (labels) => series.get(labels) ?? 0,
        samples: () => series.entries().map(([labels, value]) => ({ labels, value })),
      };
      register(options.name, () => ({
        type: 'counter',
        name: options.name,
        help: options.help,
        samples: counter.samples(),
      }));
      return counter;
    },
    gauge(options) {
      const series = createSeries(options.name, options.labelNames ?? [], () => 0);
      const gauge: Gauge<never> = {
        set: (labels, value) => series.update(labels, () => value),
        inc: (labels, amount = 1) => series.update(labels, (value) => value + amount),
        dec: (labels, amount = 1) => series.update(labels, (value) => value - amount),
        get: (labels) => series.get(labels) ?? 0,
        samples: () => series.entries().map(([labels, value]) => ({ labels, value })),
      };
      register(options.name, () => ({
        type: 'gauge',
        name: options.name,
        help: options.help,
        samples: gauge.samples(),
      }));
      return gauge;
    },
    histogram(options) {
      const bounds = validBuckets(options.name, options.buckets);
      const labelNames = options.labelNames ?? [];
      if (labelNames.some((label) => label === 'le')) invalid(`Histogram ${options.name} cannot have a label "le".`);
      // One slot per bound plus the +Inf slot; counts are per bucket here and cumulated when read.
      const series = createSeries(options.name, labelNames, () => ({
        counts: new Array<number>(bounds.length + 1).fill(0),
        sum: 0,
      }));
      const toSample = (labels: Record<string, string>, state: HistogramState): HistogramSample => {
        const buckets = cumulativeBuckets(bounds, state.counts);
        return { labels, buckets, sum: state.sum, count: buckets.at(-1)?.count ?? 0 };
      };
      const histogram: Histogram<never> = {
        observe(labels, value) {
          if (Number.isNaN(value)) invalid(`Histogram ${options.name} cannot observe NaN.`);
          series.update(labels, (state) => {
            const index = bounds.findIndex((bound) => value <= bound);
            state.counts[index === -1 ? bounds.length : index]! += 1;
            state.sum += value;
            return state;
          });
        },
        quantile(q, labels) {
          const states = labels === undefined ? series.entries().map(([, state]) => state) : [series.get(labels)];
          const counts = bounds.map(() => 0).concat(0);
          for (const state of states) {
            for (const [index, count] of (state?.counts ?? []).entries()) counts[index]! += count;
          }
          return estimateQuantile(cumulativeBuckets(bounds, counts), q);
        },
        samples: () => series.entries().map(([labels, state]) => toSample(labels, state)),
      };
      register(options.name, () => ({
        type: 'histogram',
        name: options.name,
        help: options.help,
        samples: histogram.samples(),
      }));
      return histogram;
    },
    observe(options) {
      register(options.name, () => ({
        type: options.type,
        name: options.name,
        help: options.help,
        samples: options.collect(),
      }));
    },
    snapshot: () => [...families.values()].map((read) => read()),
  };
}

interface HistogramState {
  counts: number[];
  sum: number;
}

/** The series of one metric, keyed by their label values in `labelNames` order. */
function createSeries<State>(name: string, labelNames: readonly string[], initial: () => State) {
  for (const label of labelNames) {
    if (!labelNamePattern.test(label) || label.startsWith('__')) invalid(`"${label}" is not a valid label name.`);
  }
  const known = new Set(labelNames);
  const states = new Map<string, { labels: Record<string, string>; state: State }>();
  const keyOf = (labels: MetricLabels = {}) => {
    for (const label of Object.keys(labels)) {
      if (!known.has(label))
        invalid(`Metric ${name} has no label "${label}"; its labels are: ${labelNames.join(', ')}.`);
    }
    const values = labelNames.map((label) => labels[label] ?? '');
    return { key: JSON.stringify(values), values };
  };
  // A metric without labels has exactly one series, present from the start so it reads as 0.
  if (labelNames.length === 0) states.set(keyOf().key, { labels: {}, state: initial() });

  return {
    get(labels?: MetricLabels): State | undefined {
      return states.get(keyOf(labels).key)?.state;
    },
    update(labels: MetricLabels | undefined, change: (state: State) => State): void {
      const { key, values } = keyOf(labels);
      const entry = states.get(key);
      if (entry) {
        entry.state = change(entry.state);
        return;
      }
      const named = Object.fromEntries(labelNames.map((label, index) => [label, values[index]!]));
      states.set(key, { labels: named, state: change(initial()) });
    },
    entries(): Array<[Record<string, string>, State]> {
      return [...states.values()].map(({ labels, state }) => [labels, state]);
    },
  };
}

/** Per-bucket counts (the last one for +Inf) as Prometheus reads them: each bucket holds all below it too. */
function cumulativeBuckets(bounds: readonly number[], counts: readonly number[]) {
  let cumulative = 0;
  return counts.map((count, index) => {
    cumulative += count;
    return { le: bounds[index] ?? Number.POSITIVE_INFINITY, count: cumulative };
  });
}

function validBuckets(name: string, buckets: readonly number[]): number[] {
  const bounds = buckets.filter((bound) => bound !== Number.POSITIVE_INFINITY);
  const sorted = bounds.every((bound, index) => Number.isFinite(bound) && (index === 0 || bound > bounds[index - 1]!));
  if (bounds.length === 0 || !sorted) {
    invalid(`Histogram ${name} needs finite buckets in increasing order; got ${buckets.join(', ')}.`);
  }
  return bounds;
}

function invalid(message: string): never {
  throw new FragmentkitError('INVALID_REQUEST', message);
}
