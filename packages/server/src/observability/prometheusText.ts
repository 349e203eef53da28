import type { MetricFamily, MetricsSnapshot } from './metricsRegistry.js';

/**
 * The `Content-Type` of {@link toPrometheusText}'s output: the Prometheus text format 0.0.4.
 *
 * @example
 * ```ts
 * return new Response(toPrometheusText(registry.snapshot()), { headers: { 'content-type': prometheusContentType } });
 * ```
 */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Renders metrics in the Prometheus text exposition format: per metric a `# HELP` and a
 * `# TYPE` line, then one line per series; a histogram has a cumulative `_bucket` line per
 * bound (`le="+Inf"` last), `_sum` and `_count`. Label values are escaped (`\\`, `\"`, `\n`),
 * as are backslashes and line breaks in help texts. The text ends with a line break.
 *
 * @example
 * ```ts
 * import { createMetricsRegistry, toPrometheusText } from '@fragmentkit/server';
 *
 * const registry = createMetricsRegistry();
 * registry.counter({ name: 'jobs_total', help: 'Jobs run.', labelNames: ['queue'] }).inc({ queue: 'mail' });
 * toPrometheusText(registry.snapshot());
 * // # HELP jobs_total Jobs run.
 * // # TYPE jobs_total counter
 * // jobs_total{queue="mail"} 1
 * ```
 */
export function toPrometheusText(snapshot: MetricsSnapshot): string {
  return snapshot.map(renderFamily).join('');
}

function renderFamily(family: MetricFamily): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  if (family.type === 'histogram') {
    for (const sample of family.samples) {
      for (const bucket of sample.buckets) {
        const labels = renderLabels({ ...sample.labels, le: formatValue(bucket.le) });
        lines.push(`${family.name}_bucket${labels} ${bucket.count}`);
      }
      lines.push(`${family.name}_sum${renderLabels(sample.labels)} ${formatValue(sample.sum)}`);
      lines.push(`${family.name}_count${renderLabels(sample.labels)} ${sample.count}`);
    }
  } else {
    for (const sample of family.samples)
      lines.push(`${family.name}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}
