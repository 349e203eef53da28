/**
 * A share link of a sandbox preview: `GET {basePath}/s/:id` redirects to `url` until `expiresAt`.
 *
 * @example
 * ```ts
 * const share: PreviewShare = {
 *   id: 'k3J9x0aQ', url: 'https://3000-abc.e2b.app', teamId: 'team_1', userId: 'user_1',
 *   createdAt: Date.now(), expiresAt: Date.now() + 3_600_000,
 * };
 * ```
 */
export interface PreviewShare {
  id: string;
  /** The preview URL the link redirects to. */
  url: string;
  /** Who shared it. */
  teamId: string;
  userId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When the link stops redirecting, in milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Where the sandbox routes keep the preview URLs they issued (per team, so a caller can only
 * share a URL its own team's run produced) and the share links made of them. Expired links
 * are kept a while longer (the store's retention), so opening one answers 410 rather than 404.
 * `createMemoryPreviewShareStore` keeps them in this process; `createRedisPreviewShareStore`
 * (`@fragmentkit/server/redis`) shares them between host instances.
 *
 * @example
 * ```ts
 * await store.rememberPreview('team_1', 'http://127.0.0.1:41234/', 15 * 60_000);
 * if (await store.hasPreview('team_1', url)) await store.saveShare(share);
 * const found = await store.findShare(share.id);
 * ```
 */
export interface PreviewShareStore {
  /** Records that a run of `teamId` produced `url`, valid for `ttlMs` from now. */
  rememberPreview(teamId: string, url: string, ttlMs: number): Promise<void>;
  /** Whether a run of `teamId` produced `url` and its record has not expired. */
  hasPreview(teamId: string, url: string): Promise<boolean>;
  /** Stores a new share link; `INVALID_REQUEST` when its id is taken. */
  saveShare(share: PreviewShare): Promise<void>;
  /** The share link, also for a while after it expired; null when unknown or long gone. */
  findShare(id: string): Promise<PreviewShare | null>;
}

/**
 * How long an expired share link is kept to answer 410 instead of 404: 7 days.
 *
 * @example
 * ```ts
 * createMemoryPreviewShareStore({ expiredRetentionMs: defaultExpiredShareRetentionMs / 7 });
 * ```
 */
export const defaultExpiredShareRetentionMs = 7 * 24 * 60 * 60 * 1000;
