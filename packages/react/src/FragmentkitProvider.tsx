import { type AttachmentStore, createAttachmentStore } from '@fragmentkit/core';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { createStaleAttachments, type StaleAttachments } from './staleAttachments.js';

/**
 * Where `@fragmentkit/server` is mounted when {@link FragmentkitProvider} gets no `endpoint`.
 *
 * @example
 * ```tsx
 * <FragmentkitProvider endpoint={defaultEndpoint}>{children}</FragmentkitProvider>
 * ```
 */
export const defaultEndpoint = '/api/fragmentkit';

/**
 * What {@link FragmentkitProvider} shares with the hooks and components below it.
 *
 * @example
 * ```ts
 * const { endpoint, attachmentStore }: FragmentkitContextValue = useFragmentkit();
 * ```
 */
export interface FragmentkitContextValue {
  /** Base URL of the fragmentkit handler; chat requests go to `${endpoint}/chat`. */
  endpoint: string;
  /** The attached snippets, shared by `CodeView`, `AttachedContextPanel` and `useFragmentChat`. */
  attachmentStore: AttachmentStore;
  /** Attachments an open editor changed since they were attached, with their refresh actions. */
  staleAttachments: StaleAttachments;
  /** A `fetch` to use instead of the global one, e.g. in tests or to add credentials. */
  fetch: typeof fetch | undefined;
  /** Extra request headers, e.g. for auth; a function is called at send time. */
  headers: Record<string, string> | (() => Record<string, string>) | undefined;
}

/**
 * Props of {@link FragmentkitProvider}.
 *
 * @example
 * ```ts
 * const props: FragmentkitProviderProps = { endpoint: '/api/fragmentkit', headers: () => ({ Authorization: `Bearer ${token}` }) };
 * ```
 */
export interface FragmentkitProviderProps {
  /** Base URL of the fragmentkit handler. Defaults to {@link defaultEndpoint}. */
  endpoint?: string;
  /** An attachment store to share with code outside React; by default the provider creates its own. */
  attachments?: AttachmentStore;
  /** A stale-attachment registry to share with editors outside React; by default the provider creates its own. */
  staleAttachments?: StaleAttachments;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Extra request headers, e.g. for auth; a function is called at send time. */
  headers?: Record<string, string> | (() => Record<string, string>);
  children?: ReactNode;
}

const FragmentkitContext = createContext<FragmentkitContextValue | null>(null);

/**
 * Holds the attached snippets and the server endpoint for everything fragmentkit below it.
 *
 * @example
 * ```tsx
 * import { AttachedContextPanel, CodeView, FragmentkitProvider } from '@fragmentkit/react';
 *
 * export function App({ source }: { source: string }) {
 *   return (
 *     <FragmentkitProvider endpoint="/api/fragmentkit">
 *       <CodeView code={source} filePath="src/App.tsx" />
 *       <AttachedContextPanel />
 *     </FragmentkitProvider>
 *   );
 * }
 * ```
 */
export function FragmentkitProvider({
  endpoint = defaultEndpoint,
  attachments,
  staleAttachments: sharedStale,
  fetch,
  headers,
  children,
}: FragmentkitProviderProps) {
  const [ownStore] = useState(() => createAttachmentStore());
  const [ownStale] = useState(() => createStaleAttachments());
  const attachmentStore = attachments ?? ownStore;
  const staleAttachments = sharedStale ?? ownStale;
  const value = useMemo(
    () => ({ endpoint, attachmentStore, staleAttachments, fetch, headers }),
    [endpoint, attachmentStore, staleAttachments, fetch, headers],
  );
  return <FragmentkitContext.Provider value={value}>{children}</FragmentkitContext.Provider>;
}

/**
 * The context of the nearest {@link FragmentkitProvider}. Throws when there is none, because
 * attaching code without a provider would silently go nowhere.
 *
 * @example
 * ```tsx
 * import { useFragmentkit } from '@fragmentkit/react';
 *
 * function AttachmentCount() {
 *   const { attachmentStore } = useFragmentkit();
 *   return <span>{attachmentStore.getSnapshot().length}</span>;
 * }
 * ```
 */
export function useFragmentkit(): FragmentkitContextValue {
  const context = useContext(FragmentkitContext);
  if (!context) {
    throw new Error('No fragmentkit context: wrap this component in <FragmentkitProvider>.');
  }
  return context;
}

/** The provider's context, or `null` outside one: for hooks that also work on their own. */
export function useOptionalFragmentkit(): FragmentkitContextValue | null {
  return useContext(FragmentkitContext);
}
