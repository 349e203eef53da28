// Compiled with `tsc --noEmit` under both `bundler` and `node16` resolution against the installed
// declaration files. The `@ts-expect-error` lines fail the check if the types degrade to `any`.
import { type ChatStreamEvent, FragmentkitError, isTerminalChatEvent, type Usage } from '@fragmentkit/core';
import { createOpenAICompatibleModel } from '@fragmentkit/core/providers';
import { createFragmentkit, type FragmentkitConfig } from '@fragmentkit/server';
import { toNextHandlers } from '@fragmentkit/server/next';
import { type NodeHandler, toNodeHandler } from '@fragmentkit/server/node';

const config: FragmentkitConfig = {
  model: createOpenAICompatibleModel({ baseURL: 'http://localhost:11434/v1', model: 'qwen2.5-coder' }),
  limits: { maxAttachments: 5 },
};

const fragmentkit = createFragmentkit(config);
export const handler: NodeHandler = toNodeHandler(fragmentkit, { trustProxy: false });
export const { GET, POST } = toNextHandlers(fragmentkit);

export function describeEvent(event: ChatStreamEvent): string {
  if (event.type === 'done') return `done: ${event.fragment.title}`;
  if (event.type === 'error') return `error ${event.error.code}`;
  return isTerminalChatEvent(event) ? 'terminal' : event.type;
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}

export const notConfigured = new FragmentkitError('PROVIDER_NOT_CONFIGURED', 'No model is configured.');

// @ts-expect-error a model id is required
createOpenAICompatibleModel({ baseURL: 'http://localhost:11434/v1' });

// @ts-expect-error not an error code
export const unknownCode = new FragmentkitError('NOT_A_CODE', 'never');
