import {
  type BuildPromptOptions,
  type ChatLimits,
  createChatRequestSchema,
  defaultChatLimits,
  FragmentkitError,
  type LanguageModel,
  type Router,
} from '@fragmentkit/core';
import { createAuditRoutes } from './auditRoute.js';
import type { AuthHook } from './auth/authContext.js';
import type { ChatQuota, CostFunction } from './chatQuota.js';
import { createChatRoute, type PromptSettings } from './chatRoute.js';
import { createChatTurns } from './chatTurn.js';
import { type ConversationPermissions, createConversationRoutes } from './conversationRoutes.js';
import { type CorsOptions, createCors } from './cors.js';
import { createGatewayAccounting } from './gateway/gatewayAccounting.js';
import type { GatewayOptions } from './gateway/gatewayOptions.js';
import { createGatewayRoutes } from './gateway/gatewayRoutes.js';
import { createHealthRoute } from './healthRoute.js';
import type { IdempotencyConfig } from './idempotency/idempotency.js';
import type { IncidentsConfig } from './incidents/incidentsConfig.js';
import { createIncidentsRoutes } from './incidents/incidentsRoutes.js';
import { defaultLogger, type FragmentkitLogger } from './logger.js';
import { createModelCatalog } from './modelCatalog.js';
import type { HealthCheck, HealthCheckDefinition } from './observability/healthChecks.js';
import { createObservability, type MetricsConfig } from './observability/observability.js';
import type { FragmentkitMetrics } from './observability/serverMetrics.js';
import { createPreviewRuntimeRoute, type PreviewRuntimeOptions } from './previewRuntimeRoute.js';
import { createProjectSnapshotRoutes } from './projects/projectSnapshotRoutes.js';
import type { ProjectSnapshotStore } from './projects/projectSnapshotStore.js';
import type { RateLimiter } from './rateLimit/rateLimiter.js';
import { createRequestPipeline } from './requestPipeline.js';
import { createRouter, normalizePath } from './router.js';
import { type ChatTasks, defaultChatTasks } from './routerModel.js';
import type { SandboxConfig } from './sandbox/sandboxConfig.js';
import { createSandboxRoutes } from './sandbox/sandboxRoutes.js';
import type { FragmentStore } from './store/fragmentStore.js';
import type { PurgeResult } from './store/retention.js';
import { createChatStreams, type StreamsConfig } from './streams/chatStreams.js';
import { defaultAgentTaskLimits } from './tasks/agentTaskRequest.js';
import { type AgentTasksConfig, createAgentTasks } from './tasks/agentTasks.js';

/**
 * Configuration of {@link createFragmentkit}. Only a model is needed to answer chats; every
 * other setting has a default.
 *
 * @example
 * ```ts
 * const config: FragmentkitConfig = {
 *   basePath: '/api/fragmentkit',
 *   models: { claude: anthropicModel, local: ollamaModel },
 *   limits: { maxBodyBytes: 500_000 },
 * };
 * ```
 */
export interface FragmentkitConfig {
  /** Where the routes live; must match where the host mounts the handler. Default `/api/fragmentkit`. */
  basePath?: string;
  /** The model that answers when a request names none. Listed by `/health` as `default` unless it is one of `models`. */
  model?: LanguageModel;
  /** Models a request may pick with its `model` field, by id. Without `model`, the first one is the default. */
  models?: Record<string, LanguageModel>;
  /**
   * Answers chats that name no model through core's `createRouter`, with its retries,
   * fallback and circuit breakers, instead of one `model` (pass one or the other). A
   * fallback that takes over mid-answer reaches the client as a `restart` event; `meta`
   * names the first target to answer, `restart` the one that took over, and `usage` is the
   * answering target's alone. `/health` then lists the targets and their circuits.
   */
  router?: Router;
  /**
   * The router tasks chats use: `generate` for a new fragment, `edit` for a chat whose prompt
   * carries an earlier answer (edits fall back to `generate` when the router has no such
   * route). Default `{ generate: 'generate', edit: 'edit' }`.
   */
  chatTasks?: Partial<ChatTasks>;
  /**
   * Serves an OpenAI-compatible API through the `router`: `POST {basePath}/v1/chat/completions`
   * and `GET {basePath}/v1/models`, so any OpenAI SDK gets fallback, breakers and the quota.
   * See {@link GatewayOptions}.
   */
  gateway?: GatewayOptions;
  /** Tighter or looser request limits than `defaultChatLimits`. */
  limits?: Partial<ChatLimits>;
  /** Token budget for attached snippets, passed to `buildPrompt`. */
  attachmentBudget?: BuildPromptOptions['attachmentBudget'];
  /** The templates a request may target, passed to `buildPrompt`. */
  templates?: BuildPromptOptions['templates'];
  /** Replaces or extends the system prompt, passed to `buildPrompt`. */
  systemPrompt?: BuildPromptOptions['systemPrompt'];
  /** Counts prompt tokens, e.g. an exact tokenizer; passed to `buildPrompt`. */
  tokenizer?: BuildPromptOptions['tokenizer'];
  /** Generates request and conversation ids. Default `crypto.randomUUID`. */
  generateId?: () => string;
  /** Receives one structured line per request. By default only errors are logged, to `console.error`. */
  logger?: FragmentkitLogger;
  /**
   * Finds the caller of each request (see {@link AuthHook}; `createJwtAuth` verifies bearer
   * tokens). Every route but `/health` runs it first.
   */
  auth?: AuthHook;
  /**
   * Serve callers without credentials as guests: each IP address is one user and one team
   * (`guest:<ip>`, role `member`, plan `guest`). Set `false` to answer 401 instead. Default true.
   */
  guest?: boolean;
  /**
   * Whether `X-Forwarded-For` names the client: `false` (default) uses the socket address the
   * adapter passed; `n` trusts `n` proxies in front of the server; `true` trusts every hop.
   * Guests and rate limits key on this address, so trust only what your own proxies write.
   */
  trustProxy?: boolean | number;
  /** Finds the client's IP address yourself, e.g. `request.headers.get('cf-connecting-ip')`; replaces `trustProxy`. */
  getClientIp?: (request: Request) => string | null | undefined;
  /**
   * Limits chat requests, checked after auth with the subject `{ ip, userId, teamId, plan,
   * route }` (guests: `{ ip, plan: 'guest' }`). Denied requests get 429 with `RateLimit`,
   * `RateLimit-Policy` and `Retry-After`; admitted ones carry `RateLimit` headers too.
   */
  rateLimit?: RateLimiter;
  /** Usage limits checked before each model call and charged after it (core's `createQuota` fits). */
  quota?: ChatQuota;
  /** Prices a model call for the quota and the usage ledger. Without it, cost counts as unknown (0 in the ledger). */
  costOf?: CostFunction;
  /** Browser origins allowed to call the API across origins. Without it, cross-origin preflights get 403. */
  cors?: CorsOptions;
  /**
   * Keeps conversations, messages, fragment versions, usage and an audit log, and serves the
   * `/conversations` routes. Chats then take their history from the store rather than from
   * the client.
   */
  store?: FragmentStore;
  /** Roles that may use destructive routes; see {@link ConversationPermissions}. */
  permissions?: ConversationPermissions;
  /**
   * Resumable chat streams: every event has an id (1, 2, 3…) and `meta` names the request, so
   * a client whose connection broke gets the rest from `GET {basePath}/chat/:requestId/stream`
   * with `Last-Event-ID` (or by sending the request again with its `Idempotency-Key`). Sets
   * the buffer (memory by default; Redis for several instances) and whether the model call
   * goes on when the client leaves; see {@link StreamsConfig}.
   */
  streams?: StreamsConfig;
  /**
   * `Idempotency-Key` on `POST /chat`: a completed request replays its events, a running one
   * is followed live (or 409 for clients that do not read streams), another body with the same
   * key is 422. Keys are per caller and kept 24 hours. `false` ignores the header.
   */
  idempotency?: IdempotencyConfig | false;
  /**
   * Serves the runtime of `@fragmentkit/react`'s `<FragmentPreview>` at
   * `GET {basePath}/preview/runtime.js`; see {@link PreviewRuntimeOptions}.
   */
  preview?: PreviewRuntimeOptions;
  /**
   * Runs fragments in sandboxes: `POST {basePath}/sandbox` streams a run (status, output, then
   * the result with stdout or the preview URL; a sandbox that is down gives a result with
   * `previewUnavailable`, not a 5xx), `POST {basePath}/share` makes a link to a preview and
   * `GET {basePath}/s/:id` redirects to it. The provider's operations are counted in `metrics`.
   * See {@link SandboxConfig}.
   */
  sandbox?: SandboxConfig;
  /**
   * Metrics are always kept in the process (`fragmentkit.metrics`); set `prometheus: true` to
   * serve them at `GET {basePath}/metrics`, behind a bearer `token` when given. See {@link MetricsConfig}.
   */
  metrics?: MetricsConfig;
  /**
   * Checks of `GET {basePath}/health/detailed` besides the built-in `providers` one, by name,
   * e.g. `{ database: databaseHealthCheck(db), redis: { check: redisHealthCheck(redis), critical: false } }`.
   * Each runs with a timeout (default 2 s); see {@link HealthCheckDefinition}.
   */
  healthChecks?: Record<string, HealthCheck | HealthCheckDefinition>;
  /**
   * Error reporting: `POST {basePath}/ingest` for `@fragmentkit/core/reporter` (public, ingest
   * key as Bearer), `/projects` and their ingest keys and source maps, and `/incidents` (list,
   * detail with mapped frames, status, live `/incidents/events`). See {@link IncidentsConfig}.
   */
  incidents?: IncidentsConfig;
  /**
   * Agent tasks: `POST {basePath}/tasks` (202, run by a queue: in-process by default, BullMQ
   * for several instances), `GET /tasks/:id`, `GET /tasks/:id/events` (SSE) and
   * `POST /tasks/:id/accept|reject`. Pass `{}` for the defaults; see {@link AgentTasksConfig}.
   * With a `store`, task state lives in its database and `GET /audit` lists the audit log.
   */
  tasks?: AgentTasksConfig;
  /**
   * Versioned project files: `POST {basePath}/projects/:id/save`, `GET /projects/:id/versions`,
   * `GET /projects/:id/versions/:version` and `POST /projects/:id/restore`, e.g.
   * `store.projectSnapshots` or `createS3ProjectSnapshotStore(...)`. Project ids are host-chosen strings scoped by team.
   */
  projects?: ProjectSnapshotStore;
}

/**
 * Jobs a host runs on a schedule, never inside a request.
 *
 * @example
 * ```ts
 * // e.g. in a daily cron job
 * const { conversations } = await fragmentkit.maintenance.purge();
 * ```
 */
export interface FragmentkitMaintenance {
  /**
   * Deletes stored conversations older than the store's retention period and expired
   * idempotency keys, across all teams. Rejects with `INVALID_REQUEST` when no store is configured.
   */
  purge(now?: Date): Promise<PurgeResult>;
}

/**
 * A configured fragmentkit server: one Web-standard handler that any host can mount.
 *
 * @example
 * ```ts
 * // Hono, Bun, Deno and other fetch-style hosts take the handler as is.
 * app.all(`${fragmentkit.basePath}/*`, (context) => fragmentkit.handler(context.req.raw));
 * ```
 */
export interface Fragmentkit {
  /** Answers every request below `basePath`; never rejects. */
  handler: (request: Request) => Promise<Response>;
  /** The normalised base path, e.g. `/api/fragmentkit`. */
  basePath: string;
  /** Scheduled jobs such as the retention purge. */
  maintenance: FragmentkitMaintenance;
  /** Request, provider, token, cost, cache, sandbox and rate-limit figures since start; see {@link FragmentkitMetrics}. */
  metrics: FragmentkitMetrics;
}

/**
 * Creates the fragmentkit request handler. Routes below `basePath`: `GET /health` and
 * `GET /health/detailed` (public), `POST /chat` (Server-Sent Events), with a `store`
 * `GET /conversations` and `GET|PATCH|DELETE /conversations/:id`, with a `sandbox`
 * `POST /sandbox` (Server-Sent Events), `POST /share` and the public `GET /s/:id`, and with
 * `metrics.prometheus` `GET /metrics`. Every request is logged, counted in `metrics` and traced
 * through `@opentelemetry/api`. Every request passes CORS, then (except `/health`)
 * auth or guest mode, the rate limit (chat), validation and the quota (chat) before any work
 * is done. It is a plain `(Request) => Promise<Response>`, so it runs in any host; the
 * `node`, `next`, `hono` and `fastify` subpaths adapt it.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createFragmentStore, createJwtAuth, createRateLimiter, tieredDailyPolicies } from '@fragmentkit/server';
 * import { createPgliteDatabase } from '@fragmentkit/server/pglite';
 * import { createAnthropicModel } from '@fragmentkit/core/providers';
 *
 * export const fragmentkit = createFragmentkit({
 *   model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
 *   auth: createJwtAuth({ secret: process.env.SUPABASE_JWT_SECRET!, audience: 'authenticated' }),
 *   rateLimit: createRateLimiter({ policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }) }),
 *   store: createFragmentStore(createPgliteDatabase()),
 *   cors: { origins: ['https://app.example.com'] },
 *   trustProxy: 1,
 * });
 *
 * const response = await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));
 * ```
 */
export function createFragmentkit(config: FragmentkitConfig = {}): Fragmentkit {
  const basePath = normalizePath(config.basePath ?? '/api/fragmentkit');
  const limits: ChatLimits = { ...defaultChatLimits, ...config.limits };
  const catalog = createModelCatalog(
    config.model,
    config.models,
    config.router && { router: config.router, tasks: { ...defaultChatTasks, ...config.chatTasks } },
  );
  const logger = config.logger ?? defaultLogger;
  const generateId = config.generateId ?? (() => crypto.randomUUID());
  const { attachmentBudget, templates, systemPrompt, tokenizer } = config;

  const { store } = config;
  const observability = createObservability({
    catalog,
    metrics: config.metrics,
    healthChecks: config.healthChecks,
    costOf: config.costOf,
    rateLimiter: config.rateLimit,
    router: config.router,
  });
  const turns = createChatTurns({
    store,
    quota: config.quota,
    costOf: config.costOf,
    generateId,
    historyLimit: limits.maxHistoryMessages,
    logger,
  });
  const streams = createChatStreams({ streams: config.streams, idempotency: config.idempotency, store, logger });
  const agentTasks =
    config.tasks &&
    createAgentTasks(config.tasks, {
      catalog,
      generateId,
      logger,
      prompt: definedSettings({ attachmentBudget, tokenizer }),
      ...(config.quota ? { quota: config.quota } : {}),
      ...(config.costOf ? { costOf: config.costOf } : {}),
      ...(store ? { store } : {}),
      ...(config.idempotency === undefined ? {} : { idempotency: config.idempotency }),
    });

  const match = createRouter(basePath, {
    '/health': { GET: { handler: createHealthRoute(catalog), public: true } },
    ...observability.routes,
    ...(config.preview
      ? { '/preview/runtime.js': { GET: { handler: createPreviewRuntimeRoute(config.preview), public: true } } }
      : {}),
    '/chat': {
      POST: {
        rateLimited: true,
        handler: createChatRoute({
          catalog,
          limits,
          schema: createChatRequestSchema(limits),
          prompt: definedSettings({ attachmentBudget, templates, systemPrompt, tokenizer }),
          turns,
          streams,
        }),
      },
    },
    '/chat/:requestId/stream': { GET: { handler: streams.resume } },
    ...createSandboxRoutes({
      sandbox: config.sandbox,
      basePath,
      idempotency: config.idempotency,
      store,
      metrics: observability.metrics,
      logger,
      maxBodyBytes: limits.maxBodyBytes,
    }),
    ...createConversationRoutes({ store, permissions: config.permissions ?? {} }),
    ...createIncidentsRoutes(config.incidents),
    ...agentTasks?.routes,
    ...(config.projects
      ? createProjectSnapshotRoutes({
          snapshots: config.projects,
          limits: { ...defaultAgentTaskLimits, ...config.tasks?.limits },
          logger,
          ...(store ? { store } : {}),
        })
      : {}),
    ...createAuditRoutes(store),
    ...createGatewayRoutes({
      router: config.router,
      gateway: config.gateway,
      maxBodyBytes: limits.maxBodyBytes,
      accounting: createGatewayAccounting({ quota: config.quota, costOf: config.costOf, store, logger }),
    }),
  });

  const handler = createRequestPipeline({
    match,
    logger,
    generateId,
    cors: createCors(config.cors),
    clientIp: {
      trustProxy: config.trustProxy ?? false,
      ...(config.getClientIp ? { getClientIp: config.getClientIp } : {}),
    },
    identify: { auth: config.auth, guest: config.guest ?? true },
    rateLimiter: config.rateLimit,
    observer: observability.observer,
  });

  const maintenance: FragmentkitMaintenance = {
    async purge(now) {
      if (!store) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          'maintenance.purge needs a store: pass `store` to createFragmentkit.',
        );
      }
      return store.purgeExpired(now);
    },
  };

  return { handler, basePath: basePath || '/', maintenance, metrics: observability.metrics };
}

/** Leaves unset settings out, so `buildPrompt` applies its own defaults for them. */
function definedSettings(settings: PromptSettings): PromptSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as PromptSettings;
}
