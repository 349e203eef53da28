// #region server
import type { Fragment } from '@fragmentkit/core';
import { createE2BSandboxProvider } from '@fragmentkit/core/e2b';
import { createLocalSandboxProvider } from '@fragmentkit/core/node';
import { createFragmentkit } from '@fragmentkit/server';

// Local bubblewrap sandboxes in development, E2B in production.
const provider = process.env.E2B_API_KEY
  ? createE2BSandboxProvider({ apiKey: process.env.E2B_API_KEY })
  : createLocalSandboxProvider({ bubblewrap: 'require' });

export const fragmentkit = createFragmentkit({
  sandbox: {
    provider,
    policy: {
      templates: ['code-interpreter-v1', 'nextjs-developer', 'streamlit-developer'],
      checks: { policy: 'block' },
      authorize: ({ caller }) => (caller.plan === 'guest' ? 'Sign in to run code in a sandbox.' : undefined),
    },
    timeouts: { runMs: 30_000 },
    share: { defaultTtlSeconds: 900, maxTtlSeconds: 3_600 },
  },
});
// #endregion

/** What the browser does with the run's events. */
export interface RunView {
  status(message: string): void;
  output(chunk: string): void;
  showUrl(url: string): void;
  unavailable(reason: string): void;
}

// #region client
export async function runInSandbox(fragment: Fragment, conversationId: string, view: RunView) {
  const response = await fetch('/api/fragmentkit/sandbox', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ fragment, conversationId }),
  });
  if (!response.ok) throw new Error((await response.json()).error.message); // 400, 401, 403, 409, 422, 429
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffered += read.value;
    const blocks = buffered.split('\n\n');
    buffered = blocks.pop()!;
    for (const block of blocks) {
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (!data) continue;
      const event = JSON.parse(data.slice(6));
      if (event.type === 'status') view.status(event.message);
      if (event.type === 'stdout' || event.type === 'stderr') view.output(event.chunk);
      if (event.type === 'result' && event.url) view.showUrl(event.url); // e.g. <FragmentPreview url={...} />
      if (event.type === 'result' && event.previewUnavailable) view.unavailable(event.previewUnavailable.reason);
    }
  }
}
// #endregion
