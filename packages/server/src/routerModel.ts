import {
  FragmentkitError,
  type QuotaSubject,
  type Router,
  type RouterRequest,
  type RouterStreamEvent,
} from '@fragmentkit/core';
import type { ChatModel, ChatModelEvent } from './chatModel.js';

/**
 * The router tasks chats are sent to. A chat whose prompt carries an earlier answer (it
 * continues a conversation with a fragment) goes to `edit`, any other to `generate`. When the
 * router has no route for `edit`, such chats go to `generate` too.
 *
 * @example
 * ```ts
 * const tasks: ChatTasks = { generate: 'generate', edit: 'edit' };
 * ```
 */
export interface ChatTasks {
  generate: string;
  edit: string;
}

/**
 * The tasks used when a host names none.
 *
 * @example
 * ```ts
 * createFragmentkit({ router, chatTasks: { ...defaultChatTasks, edit: 'fast-edit' } });
 * ```
 */
export const defaultChatTasks: ChatTasks = { generate: 'generate', edit: 'edit' };

/**
 * Options of {@link createRouterChatModel}.
 *
 * @example
 * ```ts
 * const options: RouterChatModelOptions = { router, tasks: defaultChatTasks, subject: { userId, teamId } };
 * ```
 */
export interface RouterChatModelOptions {
  router: Router;
  tasks: ChatTasks;
  /** Passed on as the router request's `subject`, for router hooks that charge quotas. */
  subject?: QuotaSubject;
}

/**
 * A {@link ChatModel} for one chat request, answered by a router. Before the answer starts it
 * is named after the router (`provider: 'router'`, `modelId`: the generate task); once
 * `stream` resolves it names the target that answers, and after a `restart` the one that took
 * over. The router's `start` events are consumed here; its `restart` events pass through so the
 * chat stream can discard the partial answer.
 *
 * @example
 * ```ts
 * const model = createRouterChatModel({ router, tasks: defaultChatTasks });
 * const stream = await model.stream({ system, messages });
 * console.log(`answering: ${model.provider}/${model.modelId}`);
 * ```
 */
export function createRouterChatModel(options: RouterChatModelOptions): ChatModel {
  const { router, tasks, subject } = options;
  let answering = { provider: 'router', modelId: tasks.generate };
  const follow = (event: RouterStreamEvent) => {
    if (event.type === 'start' || event.type === 'restart') {
      answering = { provider: event.provider, modelId: event.model };
    }
  };

  return {
    get provider() {
      return answering.provider;
    },
    get modelId() {
      return answering.modelId;
    },
    async stream(request) {
      const routed: RouterRequest = subject ? { ...request, subject } : request;
      const continues = request.messages.some((message) => message.role === 'assistant');
      const reader = (
        await streamTask(router, continues ? tasks.edit : tasks.generate, tasks.generate, routed)
      ).getReader();
      // The router resolves with its `start` already in hand, so this read does not wait for the network.
      const first = await reader.read();
      let pending = first.done ? undefined : first.value;
      if (pending) follow(pending);
      if (pending?.type === 'start') pending = undefined;
      return new ReadableStream<ChatModelEvent>(
        {
          async pull(controller) {
            for (;;) {
              const event = pending ?? (await nextEvent(reader));
              pending = undefined;
              if (event === undefined) return controller.close();
              follow(event);
              if (event.type !== 'start') return controller.enqueue(event);
            }
          },
          cancel: (reason) => reader.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    },
  };
}

async function nextEvent(
  reader: ReadableStreamDefaultReader<RouterStreamEvent>,
): Promise<RouterStreamEvent | undefined> {
  const result = await reader.read();
  return result.done ? undefined : result.value;
}

/** Streams `task`, or `fallbackTask` when the router has no route for `task`. */
async function streamTask(
  router: Router,
  task: string,
  fallbackTask: string,
  request: RouterRequest,
): Promise<ReadableStream<RouterStreamEvent>> {
  try {
    return await router.stream(task, request);
  } catch (error) {
    if (task !== fallbackTask && isUnknownTask(error, task)) return router.stream(fallbackTask, request);
    throw error;
  }
}

function isUnknownTask(error: unknown, task: string): boolean {
  if (!FragmentkitError.isInstance(error) || error.code !== 'INVALID_REQUEST') return false;
  const tasks = error.details?.tasks;
  return error.details?.task === task && Array.isArray(tasks) && !tasks.includes(task);
}
