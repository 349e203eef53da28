import {
  type Fragment,
  FragmentkitError,
  type FragmentRunProgress,
  type FragmentRunResult,
  fragmentRunPlan,
  fragmentSchema,
  runFragment,
  toFragmentkitError,
} from '@fragmentkit/core';
import { z } from 'zod';
import type { AuthContext } from '../auth/authContext.js';
import { callerOf } from '../auth/caller.js';
import { publicErrorBody } from '../errorResponse.js';
import { answerFromRecord, type Idempotency, type IdempotencyClaim } from '../idempotency/idempotency.js';
import type { IdempotencyRecord } from '../idempotency/idempotencyStore.js';
import type { FragmentkitLogger } from '../logger.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RequestContext, RouteHandler } from '../router.js';
import { createServerSentEventEncoder, eventStreamHeaders, type ServerSentEvent } from '../sse.js';
import { readLastEventId } from '../streams/lastEventId.js';
import { createLiveSandboxRuns } from './liveSandboxRuns.js';
import type { PreviewShareStore } from './previewShareStore.js';
import type { SandboxConfig } from './sandboxConfig.js';
import { enforceSandboxPolicy } from './sandboxPolicy.js';
import { type SandboxRunEvent, sandboxServerSentEvent } from './sandboxRunEvents.js';

const scope = 'POST /sandbox';

/**
 * The body of `POST {basePath}/sandbox`: a complete fragment, the conversation it belongs to,
 * and an optional template that replaces the fragment's.
 *
 * @example
 * ```ts
 * const body = sandboxRequestSchema.parse({ fragment, conversationId: 'c_1' });
 * ```
 */
export const sandboxRequestSchema = z
  .object({
    fragment: fragmentSchema,
    conversationId: z.string().min(1).max(128).optional(),
    template: z.string().min(1).max(128).optional(),
  })
  .strict();

/**
 * Options of {@link createSandboxRoute}.
 *
 * @example
 * ```ts
 * const options: SandboxRouteOptions = { config, idempotency, shares, previewTtlMs: 3_600_000, maxBodyBytes: 1_000_000, logger };
 * ```
 */
export interface SandboxRouteOptions {
  /** With `provider` already wrapped for metrics. */
  config: SandboxConfig;
  idempotency: Idempotency | undefined;
  shares: PreviewShareStore;
  /** How long an issued preview URL may be shared. */
  previewTtlMs: number;
  maxBodyBytes: number;
  logger: FragmentkitLogger;
}

/**
 * `POST {basePath}/sandbox`: validates the fragment, applies the host's policy, then runs it
 * through core's `runFragment` and streams the run as Server-Sent Events. A sandbox that is
 * down is not an error of the request: the `result` says `previewUnavailable` and keeps the
 * code. With an `Idempotency-Key` the run goes on when the client leaves, so a retry with the
 * key replays the whole run (or, while it runs on this instance, follows it when the client
 * reads streams; else 409); without one, a client that leaves stops it.
 *
 * @example
 * ```ts
 * const routes = { '/sandbox': { POST: { rateLimited: true, handler: createSandboxRoute(options) } } };
 * ```
 */
export function createSandboxRoute(options: SandboxRouteOptions): RouteHandler {
  const { config, idempotency, shares, previewTtlMs, logger } = options;
  const { provider } = config;
  const liveRuns = createLiveSandboxRuns();

  return async (request, context) => {
    const body = await parseJsonBody(request, sandboxRequestSchema, {
      operation: scope,
      maxBytes: options.maxBodyBytes,
    });
    const { auth } = callerOf(context);
    const owner = { teamId: auth.teamId, userId: auth.userId };
    const fragment: Fragment = body.template ? { ...body.fragment, template: body.template } : body.fragment;

    // A retry is answered from its first request before the policy or the sandbox is asked again.
    const ticket = await idempotency?.ticket({ request, owner, scope, body, requestId: context.requestId });
    const after = ticket ? readLastEventId(request) : 0;
    const attach = readsStreams(request)
      ? async (record: IdempotencyRecord) => {
          const events = liveRuns.follow(owner, record.requestId, after);
          return events ? eventStreamResponse(events) : undefined;
        }
      : undefined;
    const earlier = await ticket?.find();
    if (ticket && earlier) return answerFromRecord(earlier, ticket, { after, attach });

    await enforceSandboxPolicy(config, {
      fragment,
      caller: auth,
      ...(body.conversationId === undefined ? {} : { conversationId: body.conversationId }),
    });
    if (!fragmentRunPlan(fragment.template, config.plans)) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `There is no run plan for template "${fragment.template}"; the host can add one in sandbox.plans.`,
        { details: { template: fragment.template } },
      );
    }

    request.signal.throwIfAborted();
    const claim = await ticket?.claim();
    if (ticket && claim && !claim.acquired) return answerFromRecord(claim.record, ticket, { after, attach });

    context.log.annotate({ provider: provider.name });
    context.log.defer();
    const events = streamRun({
      fragment,
      conversationId: body.conversationId,
      auth,
      context,
      // A keyed run outlives its client, so the key's record holds the whole run.
      signal: claim ? undefined : request.signal,
      claim: claim?.acquired ? claim : undefined,
    });
    return eventStreamResponse(events);
  };

  function streamRun(run: {
    fragment: Fragment;
    conversationId: string | undefined;
    auth: AuthContext;
    context: RequestContext;
    signal: AbortSignal | undefined;
    claim: Extract<IdempotencyClaim, { acquired: true }> | undefined;
  }): ReadableStream<ServerSentEvent> {
    const { context, auth } = run;
    const liveRun = run.claim
      ? liveRuns.start({ teamId: auth.teamId, userId: auth.userId }, context.requestId)
      : undefined;
    const sent: ServerSentEvent[] = [];
    let count = 0;
    let live: ReadableStreamDefaultController<ServerSentEvent> | undefined;
    const stop = new AbortController();
    const onClientLeft = () => stop.abort(run.signal?.reason);
    run.signal?.addEventListener('abort', onClientLeft, { once: true });

    function emit(event: SandboxRunEvent): void {
      count += 1;
      const serverSentEvent = sandboxServerSentEvent(event, count);
      if (run.claim) sent.push(serverSentEvent);
      liveRun?.append(serverSentEvent);
      try {
        live?.enqueue(serverSentEvent);
      } catch {
        live = undefined;
      }
    }

    const stream = new ReadableStream<ServerSentEvent>({
      start(controller) {
        live = controller;
      },
      cancel(reason) {
        live = undefined;
        if (run.signal) stop.abort(reason);
      },
    });

    void (async () => {
      let outcome = 'done';
      let errorMessage: string | undefined;
      emit({
        type: 'meta',
        requestId: context.requestId,
        provider: provider.name,
        ...(run.conversationId === undefined ? {} : { conversationId: run.conversationId }),
      });
      try {
        const result = await runFragment(provider, run.fragment, {
          // Providers keep sessions by conversation id alone: scoping it by team keeps one team's
          // sandbox (and its files) from ever serving another team's conversation of the same id.
          ...(run.conversationId === undefined ? {} : { conversationId: teamConversation(auth, run.conversationId) }),
          userId: auth.userId,
          teamId: auth.teamId,
          signal: stop.signal,
          onProgress: (progress) => {
            const event = progressEvent(progress);
            if (event) emit(event);
          },
          ...(config.policy?.checks ? { checks: config.policy.checks } : {}),
          ...(config.timeouts ? { timeouts: config.timeouts } : {}),
          ...(config.plans ? { plans: config.plans } : {}),
        });
        if (result.url) {
          await shares.rememberPreview(auth.teamId, result.url, previewTtlMs).catch((error: unknown) => {
            logger.warn(
              { requestId: context.requestId, errorMessage: messageOf(error) },
              'The preview URL could not be recorded; sharing it will be refused.',
            );
          });
          emit({ type: 'status', phase: 'url', message: `Serving at ${result.url}.`, url: result.url });
        }
        if (result.status === 'unavailable') outcome = result.previewUnavailable?.code ?? 'SANDBOX_UNAVAILABLE';
        emit(resultEvent(result));
        emit({ type: 'done' });
      } catch (thrown) {
        const error = toFragmentkitError(thrown);
        outcome = error.code;
        errorMessage = error.message;
        emit({ type: 'error', error: publicErrorBody(error, context.requestId) });
      } finally {
        run.signal?.removeEventListener('abort', onClientLeft);
        try {
          live?.close();
        } catch {
          // The client is gone; the run's record and log still follow.
        }
        // Recorded before followers are let go, so a retry from then on gets the replay.
        await run.claim?.complete({ status: 200, headers: { ...eventStreamHeaders }, events: sent });
        liveRun?.end();
        context.log.write(200, { outcome, ...(errorMessage === undefined ? {} : { errorMessage }) });
      }
    })();
    return stream;
  }
}

function readsStreams(request: Request): boolean {
  return request.headers.has('last-event-id') || (request.headers.get('accept') ?? '').includes('text/event-stream');
}

function eventStreamResponse(events: ReadableStream<ServerSentEvent>): Response {
  return new Response(events.pipeThrough(createServerSentEventEncoder()), { headers: eventStreamHeaders });
}

function teamConversation(auth: AuthContext, conversationId: string): string {
  return `${encodeURIComponent(auth.teamId)}:${conversationId}`;
}

function progressEvent({ phase, message, stream }: FragmentRunProgress): SandboxRunEvent | undefined {
  // `done` is said by the result that follows.
  if (phase === 'done') return undefined;
  return stream ? { type: stream, phase, chunk: message } : { type: 'status', phase, message };
}

function resultEvent(result: FragmentRunResult): SandboxRunEvent {
  return {
    type: 'result',
    status: result.status,
    ...(result.url === undefined ? {} : { url: result.url }),
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    ...(result.runtimeError ? { runtimeError: result.runtimeError } : {}),
    ...(result.results ? { results: result.results } : {}),
    ...(result.previewUnavailable ? { previewUnavailable: result.previewUnavailable } : {}),
    ...(result.termination ? { termination: result.termination } : {}),
    ...(result.sandbox ? { sandbox: result.sandbox } : {}),
    warnings: result.findings,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
