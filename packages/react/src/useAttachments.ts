import type { Attachment, AttachmentInput } from '@fragmentkit/core';
import { useSyncExternalStore } from 'react';
import { useFragmentkit } from './FragmentkitProvider.js';

/** What {@link useAttachments} returns. */
export interface UseAttachmentsResult {
  /** The attached snippets, in the order they were attached. */
  attachments: readonly Attachment[];
  /** Attaches a snippet; the same file and lines are never attached twice. @returns whether the list changed. */
  add: (attachment: AttachmentInput) => boolean;
  /** Detaches the snippet with this id. @returns whether one was removed. */
  remove: (id: string) => boolean;
  /** Detaches every snippet. */
  clear: () => void;
}

/**
 * The snippets attached in the nearest `FragmentkitProvider`, re-rendering on every change.
 *
 * @example
 * ```tsx
 * import { createAttachment } from '@fragmentkit/core';
 * import { useAttachments } from '@fragmentkit/react';
 *
 * function AttachWholeFile({ path, source }: { path: string; source: string }) {
 *   const { add } = useAttachments();
 *   const endLine = source.split('\n').length;
 *   return (
 *     <button type="button" onClick={() => add(createAttachment({ filePath: path, text: source, range: { startLine: 1, endLine } }))}>
 *       Attach {path}
 *     </button>
 *   );
 * }
 * ```
 */
export function useAttachments(): UseAttachmentsResult {
  const { attachmentStore } = useFragmentkit();
  const attachments = useSyncExternalStore(
    attachmentStore.subscribe,
    attachmentStore.getSnapshot,
    attachmentStore.getSnapshot,
  );
  return { attachments, add: attachmentStore.add, remove: attachmentStore.remove, clear: attachmentStore.clear };
}
