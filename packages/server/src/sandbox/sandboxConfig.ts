import type {
  Clock,
  Fragment,
  FragmentRunPlan,
  RunFragmentTimeouts,
  SandboxProvider,
  StaticCheckOptions,
} from '@fragmentkit/core';
import type { AuthContext } from '../auth/authContext.js';
import type { PreviewShareStore } from './previewShareStore.js';

/**
 * What a {@link SandboxPolicy}'s `authorize` hook decides on: the fragment about to run (with
 * the request's `template` applied) and who asked.
 *
 * @example
 * ```ts
 * const run: SandboxRunRequest = { fragment, conversationId: 'c_1', caller: { userId: 'u_1', teamId: 't_1', roles: ['member'] } };
 * ```
 */
export interface SandboxRunRequest {
  fragment: Fragment;
  conversationId?: string;
  caller: AuthContext;
}

/**
 * What the host allows to run. Every refusal is a 403 `FORBIDDEN` before any sandbox is
 * touched, with `details.reason` (`template`, `static-checks` with `details.findings`, or
 * `policy`) so a client can show why.
 *
 * @example
 * ```ts
 * const policy: SandboxPolicy = {
 *   templates: ['code-interpreter-v1', 'nextjs-developer'],
 *   checks: { policy: 'block', dependencyAllowlist: { 'nextjs-developer': ['zod', 'date-fns'] } },
 *   authorize: ({ caller }) => (caller.plan === 'guest' ? 'Sign in to run code in a sandbox.' : undefined),
 * };
 * ```
 */
export interface SandboxPolicy {
  /** Templates that may run; others are refused. Default: every template the run plans know. */
  templates?: readonly string[];
  /**
   * Core's static checks. With `policy: 'block'` a fragment with an `error` finding is refused;
   * with `warn` (default) the findings come back as the result's `warnings`.
   */
  checks?: StaticCheckOptions;
  /** Return a sentence to refuse the run (the client sees it), or nothing to allow it. */
  authorize?: (run: SandboxRunRequest) => string | undefined | Promise<string | undefined>;
}

/**
 * Share links of sandbox previews (`POST {basePath}/share`, `GET {basePath}/s/:id`).
 *
 * @example
 * ```ts
 * const share: PreviewShareConfig = { store: createRedisPreviewShareStore(redis), defaultTtlSeconds: 900, maxTtlSeconds: 86_400 };
 * ```
 */
export interface PreviewShareConfig {
  /** Where issued preview URLs and links live. Default `createMemoryPreviewShareStore()`. */
  store?: PreviewShareStore;
  /** Lifetime of a link whose request names none. Default 3,600 (one hour). */
  defaultTtlSeconds?: number;
  /** Longest lifetime a request may ask for. Default 86,400 (one day). */
  maxTtlSeconds?: number;
  /**
   * How long after a run its preview URL may still be shared. Default 1 hour; keep it near
   * the provider's session TTL, after which the URL no longer answers anyway.
   */
  previewTtlMs?: number;
  /** Decides when links expire (pass the same clock to the store). Default `Date.now()`. */
  clock?: Clock;
}

/**
 * Running fragments in sandboxes through `POST {basePath}/sandbox` and sharing their previews;
 * see `createFragmentkit`'s `sandbox`.
 *
 * @example
 * ```ts
 * import { createLocalSandboxProvider } from '@fragmentkit/core/node';
 *
 * const sandbox: SandboxConfig = {
 *   provider: createLocalSandboxProvider({ bubblewrap: 'require' }),
 *   policy: { checks: { policy: 'block' } },
 *   timeouts: { runMs: 20_000 },
 * };
 * ```
 */
export interface SandboxConfig {
  /** Hands out sandboxes, e.g. `createLocalSandboxProvider()` or `createE2BSandboxProvider()`. */
  provider: SandboxProvider;
  /** What may run; see {@link SandboxPolicy}. */
  policy?: SandboxPolicy;
  /** Time limits of each run, passed to core's `runFragment`. */
  timeouts?: RunFragmentTimeouts;
  /** Run plans for templates beyond the built-in ones, passed to core's `runFragment`. */
  plans?: Readonly<Record<string, FragmentRunPlan>>;
  /** Share links of previews; see {@link PreviewShareConfig}. */
  share?: PreviewShareConfig;
}
