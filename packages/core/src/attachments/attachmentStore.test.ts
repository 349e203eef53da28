import { describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { Attachment } from './attachment.js';
import { createAttachmentStore } from './attachmentStore.js';

function snippet(startLine: number, endLine: number, contentHash = `hash-${startLine}-${endLine}`): Attachment {
  return {
    id: `src/App.tsx#L${startLine}-L${endLine}`,
    kind: 'snippet',
    filePath: 'src/App.tsx',
    language: 'tsx',
    text: `lines ${startLine} to ${endLine}`,
    range: { startLine, endLine },
    contentHash,
  };
}

describe('createAttachmentStore', () => {
  it('adds, removes and clears, notifying subscribers on every change', () => {
    const store = createAttachmentStore();
    const listener = vi.fn();
    store.subscribe(listener);

    expect(store.add(snippet(3, 5))).toBe(true);
    expect(store.add(snippet(10, 12))).toBe(true);
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual([
      'src/App.tsx#L3-L5',
      'src/App.tsx#L10-L12',
    ]);
    expect(listener).toHaveBeenCalledTimes(2);

    expect(store.remove('src/App.tsx#L3-L5')).toBe(true);
    expect(store.getSnapshot().map((attachment) => attachment.id)).toEqual(['src/App.tsx#L10-L12']);
    expect(store.remove('src/App.tsx#L3-L5')).toBe(false);
    expect(listener).toHaveBeenCalledTimes(3);

    store.clear();
    expect(store.getSnapshot()).toEqual([]);
    store.clear();
    expect(listener).toHaveBeenCalledTimes(4);
  });

  it('does not add the same snippet twice', () => {
    const store = createAttachmentStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.add(snippet(3, 5));
    const before = store.getSnapshot();

    expect(store.add(snippet(3, 5))).toBe(false);
    expect(store.getSnapshot()).toBe(before);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('replaces a snippet in place when the same lines changed since they were attached', () => {
    const store = createAttachmentStore([snippet(1, 2), snippet(3, 5, 'old'), snippet(7, 8)]);
    expect(store.add({ ...snippet(3, 5, 'new'), text: 'edited' })).toBe(true);
    expect(store.getSnapshot().map((attachment) => attachment.contentHash)).toEqual(['hash-1-2', 'new', 'hash-7-8']);
    expect(store.getSnapshot()[1]?.text).toBe('edited');
  });

  it('keeps the snapshot reference stable between changes and immutable', () => {
    const store = createAttachmentStore([snippet(1, 2)]);
    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    store.add(snippet(3, 4));
    expect(store.getSnapshot()).not.toBe(first);
    expect(first).toHaveLength(1);
  });

  it('fills schema defaults for omitted fields', () => {
    const store = createAttachmentStore();
    const { kind: _kind, language: _language, ...input } = snippet(1, 1);
    store.add(input);
    expect(store.getSnapshot()[0]).toMatchObject({ kind: 'snippet', language: '' });
  });

  it('rejects an invalid attachment with a typed error', () => {
    const store = createAttachmentStore();
    let thrown: unknown;
    try {
      store.add({ ...snippet(5, 3) });
    } catch (error) {
      thrown = error;
    }
    expect(FragmentkitError.isInstance(thrown) && thrown.code).toBe('INVALID_REQUEST');
    expect(store.getSnapshot()).toEqual([]);
  });

  it('stops notifying after unsubscribe', () => {
    const store = createAttachmentStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    unsubscribe();
    store.add(snippet(1, 1));
    expect(listener).not.toHaveBeenCalled();
  });
});
