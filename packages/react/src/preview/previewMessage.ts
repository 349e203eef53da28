import type { PreviewErrorReport } from './previewRuntimeError.js';

/** Marks the preview's messages among everything else a page may receive through `postMessage`. */
export const previewChannel = 'fragmentkit-preview';

/** What a preview frame posts to its host page: `ready` once the fragment rendered, `error` for each error. */
export type PreviewMessage = { type: 'ready' } | ({ type: 'error' } & PreviewErrorReport);

const frameErrorKinds = new Set<string>(['error', 'unhandledrejection', 'console-error']);

/**
 * Reads one message from a preview frame. The frame runs untrusted code, so anything that is
 * not exactly a preview message is ignored (`undefined`), and nothing from it is trusted
 * beyond being text; the caller must already have checked `event.source`.
 */
export function readPreviewMessage(data: unknown): PreviewMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as Record<string, unknown>;
  if (message.channel !== previewChannel) return undefined;
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type !== 'error') return undefined;
  const { kind, name, message: text, stack } = message;
  if (typeof kind !== 'string' || !frameErrorKinds.has(kind)) return undefined;
  if (typeof name !== 'string' || typeof text !== 'string' || typeof stack !== 'string') return undefined;
  return { type: 'error', kind: kind as PreviewErrorReport['kind'], name, message: text, stack };
}
