import { FragmentkitError } from '../errors.js';
import { type Attachment, type AttachmentInput, attachmentSchema } from './attachment.js';

/**
 * The snippets a user has attached, as an observable list. React reads it with
 * `useSyncExternalStore`; any other UI can call {@link AttachmentStore.subscribe} itself.
 */
export interface AttachmentStore {
  /**
   * Attaches a snippet. An attachment whose `id` is already attached (same file, same lines)
   * is not added twice: with the same `contentHash` nothing happens; with a different one the
   * file changed since, so the newer text replaces the old in place.
   *
   * @returns `true` when the list changed.
   * @throws {FragmentkitError} `INVALID_REQUEST` when the attachment does not match the schema.
   */
  add(attachment: AttachmentInput): boolean;
  /** Detaches the snippet with this id. @returns `true` when one was removed. */
  remove(id: string): boolean;
  /** Detaches every snippet. */
  clear(): void;
  /** The current list. The same array until the list changes, so it can be compared by reference. */
  getSnapshot(): readonly Attachment[];
  /** Calls `listener` after every change. @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}

/**
 * Creates an {@link AttachmentStore}, optionally pre-filled.
 *
 * @example
 * ```ts
 * import { createAttachment, createAttachmentStore } from '@fragmentkit/core';
 *
 * const store = createAttachmentStore();
 * const unsubscribe = store.subscribe(() => console.log(store.getSnapshot().length));
 * store.add(createAttachment({ filePath: 'src/App.tsx', text: source, range: { startLine: 3, endLine: 5 } }));
 * unsubscribe();
 * ```
 */
export function createAttachmentStore(initial: readonly AttachmentInput[] = []): AttachmentStore {
  const listeners = new Set<() => void>();
  let attachments: readonly Attachment[] = Object.freeze([]);

  function commit(next: readonly Attachment[]): void {
    attachments = Object.freeze(next);
    for (const listener of [...listeners]) listener();
  }

  function add(input: AttachmentInput): boolean {
    const parsed = attachmentSchema.safeParse(input);
    if (!parsed.success) {
      throw new FragmentkitError('INVALID_REQUEST', `Cannot attach this snippet: ${parsed.error.message}`, {
        details: { issues: parsed.error.issues },
      });
    }
    const attachment = parsed.data;
    const index = attachments.findIndex((existing) => existing.id === attachment.id);
    if (index === -1) {
      commit([...attachments, attachment]);
      return true;
    }
    if (attachments[index]!.contentHash === attachment.contentHash) return false;
    commit(attachments.map((existing, position) => (position === index ? attachment : existing)));
    return true;
  }

  for (const attachment of initial) add(attachment);

  return {
    add,
    remove(id) {
      if (!attachments.some((attachment) => attachment.id === id)) return false;
      commit(attachments.filter((attachment) => attachment.id !== id));
      return true;
    },
    clear() {
      if (attachments.length > 0) commit([]);
    },
    getSnapshot: () => attachments,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
