import {
  type ChatRequest,
  type ChatStreamEvent,
  isTerminalChatEvent,
  type ModelMessage,
  toFragmentkitError,
  type Usage,
} from '@fragmentkit/core';
import { callerOf } from './auth/caller.js';
import type { ChatStreamEnd } from './chatEventStream.js';
import type { ChatModel } from './chatModel.js';
import { type ChatQuota, type CostFunction, quotaExceeded, totalTokens } from './chatQuota.js';
import type { FragmentkitLogger } from './logger.js';
import type { RequestContext } from './router.js';
import type { FragmentStore } from './store/fragmentStore.js';
import type { MessageRecord } from './store/messages.js';
import { notFound } from './store/storeInput.js';
import type { Tenant } from './store/tenantTransaction.js';

export interface ChatTurnsOptions {
  store: FragmentStore | undefined;
  quota: ChatQuota | undefined;
  costOf: CostFunction | undefined;
  /** Ids of conversations when nothing stores them. */
  generateId: () => string;
  /** How many earlier messages of a stored conversation go into the prompt. */
  historyLimit: number;
  logger: FragmentkitLogger;
}

/** One chat request's bookkeeping: quota, the stored conversation, usage and audit. */
export interface ChatTurn {
  /** Earlier turns for the prompt: from the store when it keeps the conversation, else as the client sent them. */
  history: ModelMessage[];
  /** Creates the conversation when needed and stores the user's message; answers the conversation id. */
  open(): Promise<string>;
  /** Records a turn that failed before its stream started. */
  fail(error: unknown): void;
  /** Records how the stream ended: the assistant's message and fragment, usage, audit. Only the first call counts. */
  finish(end: ChatStreamEnd): void;
  /**
   * Passes chat events through, holding the terminal one until the turn is saved, so a client
   * that reloads the conversation right after `done` finds the answer in it.
   */
  holdTerminalEvent(): TransformStream<ChatStreamEvent, ChatStreamEvent>;
}

export interface ChatTurns {
  /** Checks the quota and, with a store, that the conversation is the caller's; loads its history. */
  prepare(chat: ChatRequest, model: ChatModel, context: RequestContext): Promise<ChatTurn>;
}

/**
 * The store and quota side of `POST /chat`. Failures to save after the model answered are
 * logged, not sent to the client: the answer it already has stays valid.
 */
export function createChatTurns(options: ChatTurnsOptions): ChatTurns {
  const { store, quota } = options;
  return {
    async prepare(chat, model, context) {
      const { auth } = callerOf(context);
      const tenant: Tenant = { teamId: auth.teamId, userId: auth.userId };
      if (quota) {
        const decision = await quota.check(tenant);
        if (!decision.allowed) throw quotaExceeded(decision, Date.now());
      }
      if (!store) {
        const conversationId = chat.conversationId ?? options.generateId();
        return startTurn({ options, chat, model, context, tenant, conversationId, history: chat.history });
      }
      if (chat.conversationId === undefined) {
        return startTurn({ options, chat, model, context, tenant, conversationId: undefined, history: [] });
      }
      const detail = await store.getConversation(tenant, chat.conversationId);
      if (!detail) throw notFound('conversation', chat.conversationId);
      const history = answeredTurns(detail.messages, options.historyLimit);
      return startTurn({ options, chat, model, context, tenant, conversationId: detail.conversation.id, history });
    },
  };
}

interface TurnState {
  options: ChatTurnsOptions;
  chat: ChatRequest;
  /** Read when the turn is recorded: a router's model names the target that answered by then. */
  model: ChatModel;
  context: RequestContext;
  tenant: Tenant;
  /** Undefined until `open` creates the conversation. */
  conversationId: string | undefined;
  history: ModelMessage[];
}

function startTurn(state: TurnState): ChatTurn {
  const { options, chat, model, context, tenant } = state;
  const { store, quota, costOf, logger } = options;
  let { conversationId } = state;
  let settled: Promise<void> | undefined;

  const logFailure = (operation: string, error: unknown) =>
    logger.error(
      { requestId: context.requestId, operation, errorMessage: toFragmentkitError(error).message },
      'fragmentkit could not record a chat turn',
    );

  async function audit(action: string, data: Record<string, unknown>): Promise<void> {
    if (!store) return;
    const subject = conversationId ? `conversation/${conversationId}` : `chat/${context.requestId}`;
    const entry = { requestId: context.requestId, provider: model.provider, model: model.modelId, ...data };
    await store.audit(tenant, { action, subject, data: entry }).catch((error: unknown) => logFailure(action, error));
  }

  async function recordUsage(usage: Usage): Promise<void> {
    const usd = costOf?.(usage, model);
    await quota
      ?.record(tenant, { tokens: totalTokens(usage), ...(usd === undefined ? {} : { usd }) })
      .catch((error: unknown) => logFailure('quota.record', error));
    await store
      ?.recordUsage(tenant, {
        requestId: context.requestId,
        provider: model.provider,
        model: model.modelId,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedInputTokens: usage.cachedInputTokens ?? 0,
        cacheWriteTokens: usage.cacheWriteTokens ?? 0,
        costUsd: usd ?? 0,
      })
      .catch((error: unknown) => logFailure('usage', error));
  }

  async function saveAnswer({ terminal }: ChatStreamEnd): Promise<void> {
    if (terminal?.type !== 'done') return audit('chat.failed', { code: terminal?.error.code ?? 'ABORTED' });
    if (!store || !conversationId) return;
    try {
      const message = await store.appendMessage(tenant, {
        conversationId,
        role: 'assistant',
        content: JSON.stringify(terminal.fragment),
        requestId: context.requestId,
      });
      const saved = await store.saveFragment(tenant, {
        conversationId,
        messageId: message.id,
        fragment: terminal.fragment,
      });
      await audit('chat.completed', { fragmentVersion: saved.version, finishReason: terminal.finishReason });
    } catch (error) {
      logFailure('chat.completed', error);
    }
  }

  return {
    history: state.history,
    async open() {
      if (!store) return conversationId!;
      conversationId ??= (await store.createConversation(tenant, titleOf(chat.input))).id;
      await store.appendMessage(tenant, {
        conversationId,
        role: 'user',
        content: chat.input,
        attachments: chat.attachments,
        requestId: context.requestId,
      });
      return conversationId;
    },
    fail(error) {
      settled ??= audit('chat.failed', { code: toFragmentkitError(error).code });
    },
    finish(end) {
      settled ??= (async () => {
        if (end.usage) await recordUsage(end.usage);
        await saveAnswer(end);
      })().catch((error: unknown) => logFailure('chat.finish', error));
    },
    holdTerminalEvent() {
      return new TransformStream({
        async transform(event, controller) {
          // `finish` runs as the event stream ends, before its terminal event gets through here.
          if (isTerminalChatEvent(event)) await settled;
          controller.enqueue(event);
        },
      });
    },
  };
}

/** Earlier question-and-answer pairs, newest last; a question whose answer failed is left out, as clients do. */
function answeredTurns(messages: MessageRecord[], limit: number): ModelMessage[] {
  const turns: ModelMessage[] = [];
  for (let index = 0; index + 1 < messages.length; index += 1) {
    const question = messages[index]!;
    const answer = messages[index + 1]!;
    if (question.role !== 'user' || answer.role !== 'assistant') continue;
    turns.push({ role: 'user', content: question.content }, { role: 'assistant', content: answer.content });
    index += 1;
  }
  const kept = limit - (limit % 2);
  return kept <= 0 ? [] : turns.slice(-kept);
}

/** A list title from the first message: its first line, shortened. */
function titleOf(input: string): string {
  const firstLine = input.trim().split(/\r?\n/, 1)[0] ?? '';
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}
