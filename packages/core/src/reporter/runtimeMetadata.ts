import type { IncidentRuntime } from '../incidents/incidentEvent.js';

/** Deploy platforms' commit variables, most specific first. */
const commitShaVariables = [
  'VERCEL_GIT_COMMIT_SHA',
  'GITHUB_SHA',
  'RENDER_GIT_COMMIT',
  'CF_PAGES_COMMIT_SHA',
  'HEROKU_SLUG_COMMIT',
  'COMMIT_SHA',
  'SOURCE_VERSION',
] as const;

interface RuntimeGlobals {
  process?: { versions?: { node?: string }; env?: Record<string, string | undefined> };
  navigator?: { userAgent?: string };
}

/**
 * The commit being run, read from the deploy platform's environment when there is a
 * `process.env`. Only these variables are read; the environment itself is never sent.
 */
export function detectCommitSha(): string | undefined {
  try {
    const env = (globalThis as RuntimeGlobals).process?.env;
    for (const name of commitShaVariables) {
      const value = env?.[name]?.trim();
      if (value) return value;
    }
  } catch {
    // Some runtimes (Deno without --allow-env) throw on access; no commit then.
  }
  return undefined;
}

/** Which runtime reports: Node with its version, or a browser with its user agent. */
export function detectRuntime(): IncidentRuntime {
  try {
    const scope = globalThis as RuntimeGlobals;
    const node = scope.process?.versions?.node;
    if (node) return { name: 'node', version: node };
    const userAgent = scope.navigator?.userAgent;
    if (typeof userAgent === 'string') return { name: 'browser', userAgent };
  } catch {
    // Fall through: an unknown runtime still reports.
  }
  return { name: 'unknown' };
}
