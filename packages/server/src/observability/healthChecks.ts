import { FragmentkitError } from '@fragmentkit/core';

/**
 * The state of one dependency, and of the whole instance: `ok`; `degraded` (working, but slow
 * or partly failing); `down`.
 *
 * @example
 * ```ts
 * const status: HealthStatus = report.checks.redis?.status ?? 'ok';
 * ```
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';

/**
 * What a check may answer besides resolving (`ok`) or rejecting (`down`): a status of its own,
 * a message for people and details such as per-target states. Never put credentials in it.
 *
 * @example
 * ```ts
 * const outcome: HealthCheckOutcome = { status: 'degraded', message: '2 of 3 replicas answer.' };
 * ```
 */
export interface HealthCheckOutcome {
  status: HealthStatus;
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * One dependency check of `GET {basePath}/health/detailed`: resolve when the dependency works,
 * reject when it does not. It gets a signal that aborts when its timeout passes.
 *
 * @example
 * ```ts
 * const queue: HealthCheck = async (signal) => {
 *   const response = await fetch('http://127.0.0.1:9000/ready', { signal });
 *   if (!response.ok) throw new Error(`queue answered ${response.status}`);
 * };
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a check written as `async () => { ... }` returns Promise<void>.
export type HealthCheck = (signal: AbortSignal) => Promise<void | HealthCheckOutcome>;

/**
 * A {@link HealthCheck} with its own limits. A check that is not `critical` (e.g. Redis, when
 * the rate limiter has an in-memory fallback) makes the instance `degraded`, never `down`.
 *
 * @example
 * ```ts
 * const redis: HealthCheckDefinition = { check: redisHealthCheck(redisClient), timeoutMs: 500, critical: false };
 * ```
 */
export interface HealthCheckDefinition {
  check: HealthCheck;
  /** A check without an answer by then is `down`. Default 2000. */
  timeoutMs?: number;
  /** A check that succeeds but takes longer than this is `degraded`. Default 1000. */
  degradedAfterMs?: number;
  /** Whether this check being `down` makes the instance `down` (HTTP 503). Default true. */
  critical?: boolean;
}

/**
 * How one check went.
 *
 * @example
 * ```ts
 * const result: HealthCheckResult = { status: 'down', latencyMs: 2000, critical: true, message: 'No answer within 2000 ms.' };
 * ```
 */
export interface HealthCheckResult {
  status: HealthStatus;
  latencyMs: number;
  critical: boolean;
  /** Why it is not `ok`; error messages pass through with credentials removed. */
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * Every check's result and the instance's status: the worst critical one, and at most
 * `degraded` for the others.
 *
 * @example
 * ```ts
 * const report: HealthReport = await runHealthChecks({ database: databaseHealthCheck(db) });
 * if (report.status === 'down') page(report.checks);
 * ```
 */
export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, HealthCheckResult>;
}

/**
 * Options of {@link runHealthChecks}.
 *
 * @example
 * ```ts
 * const options: HealthCheckOptions = { now: () => clock.now() };
 * ```
 */
export interface HealthCheckOptions {
  /** Milliseconds from any fixed origin, for latencies. Default `performance.now`. */
  now?: () => number;
}

const defaultTimeoutMs = 2000;
const defaultDegradedAfterMs = 1000;
const severity: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * Runs checks in parallel, each bounded by its timeout (the check's signal aborts then), and
 * reports each one's status, latency and message. A check that throws or times out is `down`;
 * one that succeeds slowly is `degraded`. Never rejects.
 *
 * @example
 * ```ts
 * import { databaseHealthCheck, redisHealthCheck, runHealthChecks } from '@fragmentkit/server';
 *
 * const report = await runHealthChecks({
 *   database: databaseHealthCheck(db),
 *   redis: { check: redisHealthCheck(redis), critical: false },
 * });
 * console.log(report.status, report.checks.database?.latencyMs);
 * ```
 */
export async function runHealthChecks(
  checks: Readonly<Record<string, HealthCheck | HealthCheckDefinition>>,
  options: HealthCheckOptions = {},
): Promise<HealthReport> {
  const now = options.now ?? (() => performance.now());
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const definition = typeof check === 'function' ? { check } : check;
      return [name, await runCheck(definition, now)] as const;
    }),
  );
  const results = Object.fromEntries(entries);
  const worst = Object.values(results).reduce<HealthStatus>((status, result) => {
    const counted: HealthStatus = !result.critical && result.status === 'down' ? 'degraded' : result.status;
    return severity[counted] > severity[status] ? counted : status;
  }, 'ok');
  return { status: worst, checks: results };
}

async function runCheck(definition: HealthCheckDefinition, now: () => number): Promise<HealthCheckResult> {
  const timeoutMs = definition.timeoutMs ?? defaultTimeoutMs;
  const degradedAfterMs = definition.degradedAfterMs ?? defaultDegradedAfterMs;
  const critical = definition.critical ?? true;
  const controller = new AbortController();
  const startedAt = now();
  const latency = () => Math.round((now() - startedAt) * 1000) / 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(() => definition.check(controller.signal)), timedOut]);
    if (answer === 'timed-out') {
      const message = `No answer within ${timeoutMs} ms.`;
      controller.abort(new DOMException(message, 'TimeoutError'));
      return { status: 'down', latencyMs: latency(), critical, message };
    }
    const latencyMs = latency();
    if (answer) {
      const { status, message, details } = answer;
      return {
        status,
        latencyMs,
        critical,
        ...(message === undefined ? {} : { message: withoutSecrets(message) }),
        ...(details === undefined ? {} : { details }),
      };
    }
    if (latencyMs > degradedAfterMs) {
      return {
        status: 'degraded',
        latencyMs,
        critical,
        message: `Answered in ${latencyMs} ms, over ${degradedAfterMs} ms.`,
      };
    }
    return { status: 'ok', latencyMs, critical };
  } catch (error) {
    return { status: 'down', latencyMs: latency(), critical, message: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

function describeFailure(error: unknown): string {
  if (FragmentkitError.isInstance(error)) return withoutSecrets(`${error.code}: ${error.message}`);
  return withoutSecrets(error instanceof Error ? error.message || error.name : String(error));
}

/**
 * Driver errors can quote a connection string or a header; the report may be read by anyone
 * who can reach the route, so credentials are masked and long messages cut.
 */
function withoutSecrets(message: string): string {
  const masked = message
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b(bearer|basic)\s+[^\s,;]+/gi, '$1 ***')
    .replace(/\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi, '$1$2***')
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, '***');
  return masked.length > 300 ? `${masked.slice(0, 299)}…` : masked;
}
