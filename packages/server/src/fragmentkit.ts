import {
  type BuildPromptOptions,
  type ChatLimits,
  createChatRequestSchema,
  defaultChatLimits,
  type LanguageModel,
  toFragmentkitError,
} from '@fragmentkit/core';
import { createChatRoute, type PromptSettings } from './chatRoute.js';
import { errorResponse } from './errorResponse.js';
import { createHealthRoute } from './healthRoute.js';
import { defaultLogger, type FragmentkitLogger } from './logger.js';
import { createModelCatalog } from './modelCatalog.js';
import { createRequestLog } from './requestLog.js';
import { createRouter, normalizePath } from './router.js';

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
}

// An incoming id is reused so one id follows a request through proxies and logs; anything
// odd is replaced rather than echoed into headers and log lines.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Creates the fragmentkit request handler: `GET {basePath}/health` and `POST {basePath}/chat`
 * (Server-Sent Events). It is a plain `(Request) => Promise<Response>`, so it runs in any
 * host; `@fragmentkit/server/node` and `@fragmentkit/server/next` adapt it to Express, Node
 * and Next.js.
 *
 * @example
 * ```ts
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { createAnthropicModel } from '@fragmentkit/core/providers';
 *
 * export const fragmentkit = createFragmentkit({
 *   model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
 *   limits: { maxAttachments: 10 },
 * });
 *
 * const response = await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));
 * ```
 */
export function createFragmentkit(config: FragmentkitConfig = {}): Fragmentkit {
  const basePath = normalizePath(config.basePath ?? '/api/fragmentkit');
  const limits: ChatLimits = { ...defaultChatLimits, ...config.limits };
  const catalog = createModelCatalog(config.model, config.models);
  const logger = config.logger ?? defaultLogger;
  const generateId = config.generateId ?? (() => crypto.randomUUID());
  const { attachmentBudget, templates, systemPrompt, tokenizer } = config;

  const match = createRouter(basePath, {
    '/health': { GET: createHealthRoute(catalog) },
    '/chat': {
      POST: createChatRoute({
        catalog,
        limits,
        schema: createChatRequestSchema(limits),
        prompt: definedSettings({ attachmentBudget, templates, systemPrompt, tokenizer }),
        generateId,
      }),
    },
  });

  async function handler(request: Request): Promise<Response> {
    const incomingId = request.headers.get('x-request-id');
    const requestId = incomingId && requestIdPattern.test(incomingId) ? incomingId : generateId();
    const route = match(request);
    const log = createRequestLog({ logger, requestId, method: request.method, route: route.name });
    let response: Response;
    try {
      response = await route.handler(request, { requestId, log });
    } catch (thrown) {
      const error = toFragmentkitError(thrown);
      log.annotate({ outcome: error.code, errorMessage: error.message });
      response = errorResponse(error, requestId);
    }
    if (!log.isDeferred) log.write(response.status);
    response.headers.set('x-request-id', requestId);
    return response;
  }

  return { handler, basePath: basePath || '/' };
}

/** Leaves unset settings out, so `buildPrompt` applies its own defaults for them. */
function definedSettings(settings: PromptSettings): PromptSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as PromptSettings;
}
