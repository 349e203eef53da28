import {
  type Attachment,
  type AttachmentStore,
  createAttachment,
  createFileAttachment,
  type LineRange,
} from '@fragmentkit/core';
import type { StaleAttachments } from '../staleAttachments.js';

/**
 * What an editor adapter tells the tracker: the document's text and lines, and anchors that
 * follow edits (Monaco decorations, CodeMirror positions mapped through each change).
 */
export interface TrackedDocument<Anchor> {
  text(): string;
  lineCount(): number;
  /** Lines of `range`, joined with `\n`. */
  lines(range: LineRange): string;
  anchor(range: LineRange): Anchor;
  /** Where the anchored lines are now; `null` when they were deleted. */
  resolve(anchor: Anchor): LineRange | null;
  release(anchor: Anchor): void;
}

export interface AttachmentTrackerOptions {
  store: AttachmentStore;
  filePath: string;
  language?: string;
  stale?: StaleAttachments;
}

/**
 * Keeps the attachments of one file in step with an open editor: a snippet whose lines moved
 * (code added or removed above) follows them; one whose lines were edited is marked stale with
 * a refresh that re-attaches the lines as they read now.
 */
export function createAttachmentTracker<Anchor>(document: TrackedDocument<Anchor>, options: AttachmentTrackerOptions) {
  const { store, filePath, language, stale } = options;
  const anchors = new Map<string, Anchor>();
  /** Ids this tracker replaces itself, so the store change it causes is not read as a new attachment. */
  let moving = false;

  function ownAttachments(): Attachment[] {
    return store.getSnapshot().filter((attachment) => attachment.filePath === filePath);
  }

  function replace(previous: Attachment, next: Attachment): void {
    moving = true;
    try {
      store.remove(previous.id);
      store.add(next);
    } finally {
      moving = false;
    }
  }

  /** Re-attaches the lines of attachment `id` as they read now; removes it when they were deleted. */
  function refresh(id: string): void {
    const attachment = store.getSnapshot().find((candidate) => candidate.id === id);
    if (!attachment) return;
    if (attachment.kind === 'file') {
      replace(attachment, createFileAttachment({ filePath, text: document.text(), language: attachment.language }));
    } else {
      const anchor = anchors.get(id);
      const live = anchor === undefined ? null : document.resolve(anchor);
      if (live) {
        const text = document.lines(live);
        replace(attachment, createAttachment({ filePath, text, range: live, language: attachment.language }));
      } else {
        store.remove(id);
      }
    }
    sync();
  }

  /** One refresh action per id, so marking an attachment stale again on every keystroke changes nothing. */
  const refreshers = new Map<string, () => void>();
  function markStale(id: string): void {
    let refresher = refreshers.get(id);
    if (!refresher) {
      refresher = () => refresh(id);
      refreshers.set(id, refresher);
    }
    stale?.mark(id, refresher);
  }

  function unmarkStale(id: string): void {
    refreshers.delete(id);
    stale?.unmark(id);
  }

  /** Re-reads every attachment of the file against the document. */
  function sync(): void {
    const attachments = ownAttachments();
    const ids = new Set(attachments.map((attachment) => attachment.id));
    for (const [id, anchor] of anchors) {
      if (ids.has(id)) continue;
      document.release(anchor);
      anchors.delete(id);
      unmarkStale(id);
    }
    for (const attachment of attachments) {
      if (attachment.kind === 'file') {
        const fresh = createFileAttachment({ filePath, text: document.text() }).contentHash === attachment.contentHash;
        if (fresh) unmarkStale(attachment.id);
        else markStale(attachment.id);
        continue;
      }
      let anchor = anchors.get(attachment.id);
      if (anchor === undefined) {
        anchor = document.anchor(clampRange(attachment.range, document.lineCount()));
        anchors.set(attachment.id, anchor);
      }
      const live = document.resolve(anchor);
      if (live && document.lines(live) === attachment.text) {
        unmarkStale(attachment.id);
        if (live.startLine === attachment.range.startLine && live.endLine === attachment.range.endLine) continue;
        if (attachment.kind !== 'snippet') continue;
        // Same lines, new place: re-key the anchor so it is not dropped as detached.
        const moved = createAttachment({ filePath, text: attachment.text, range: live, language: attachment.language });
        anchors.delete(attachment.id);
        anchors.set(moved.id, anchor);
        replace(attachment, moved);
      } else {
        markStale(attachment.id);
      }
    }
  }

  const unsubscribe = store.subscribe(() => {
    if (!moving) sync();
  });

  return {
    sync,
    /** Attaches whole lines, trimming blank lines at the end as code selections do. */
    attachLines(range: LineRange): Attachment | null {
      const clamped = clampRange(range, document.lineCount());
      let endLine = clamped.endLine;
      while (endLine > clamped.startLine && document.lines({ startLine: endLine, endLine }).trim() === '') endLine -= 1;
      const snapped = { startLine: clamped.startLine, endLine };
      const attachment = createAttachment({ filePath, text: document.lines(snapped), range: snapped, language });
      store.add(attachment);
      return attachment;
    },
    attachFile(): Attachment {
      const attachment = createFileAttachment({ filePath, text: document.text(), language });
      store.add(attachment);
      return attachment;
    },
    destroy(): void {
      unsubscribe();
      for (const anchor of anchors.values()) document.release(anchor);
      anchors.clear();
      for (const id of [...refreshers.keys()]) unmarkStale(id);
    },
  };
}

/** What {@link createAttachmentTracker} returns. */
export type AttachmentTracker = ReturnType<typeof createAttachmentTracker>;

function clampRange(range: LineRange, lineCount: number): LineRange {
  const last = Math.max(1, lineCount);
  const startLine = Math.min(Math.max(1, range.startLine), last);
  return { startLine, endLine: Math.min(Math.max(startLine, range.endLine), last) };
}
