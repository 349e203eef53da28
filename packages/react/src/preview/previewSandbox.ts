/**
 * The `sandbox` of a preview rendered from `srcdoc`. Never `allow-same-origin`: the frame
 * runs with an opaque origin, so it cannot read the host's cookies, storage or DOM, and with
 * scripts allowed `allow-same-origin` would let it remove its own sandbox.
 */
export const srcdocSandbox = 'allow-scripts';

/** The `sandbox` of a sandbox URL (E2B, local sandbox) by default: scripts and forms, opaque origin. */
export const urlSandbox = 'allow-scripts allow-forms';

/**
 * How a sandbox URL is isolated: `strict` always gives it an opaque origin; `auto` lets it
 * keep its own origin (`allow-same-origin`) when its host shares no cookies with the page's.
 *
 * @example
 * ```tsx
 * // Sandboxes served from a sibling subdomain (preview.example.com next to app.example.com)
 * // may see cookies set for example.com: keep them opaque.
 * <FragmentPreview fragment={fragment} url={sandboxUrl} isolation="strict" />
 * ```
 */
export type PreviewIsolation = 'auto' | 'strict';

/** A URL the preview may frame: absolute `http:`/`https:` only, never `javascript:` or `data:`. */
export function parsePreviewUrl(url: string, pageUrl: string): URL | undefined {
  try {
    const parsed = new URL(url, pageUrl);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `sandbox` of a sandbox URL. Cookies are scoped by host name, not port, and may be
 * shared with subdomains, so a URL keeps its origin only in `auto` mode and only when its
 * host is neither the page's host nor a parent or child domain of it. Such a frame is
 * cross-site: it cannot reach the host page's DOM, cookies or storage even with its origin,
 * and apps that need theirs (dev servers, storage, service workers) keep working. Sibling
 * subdomains cannot be told apart without the public suffix list; use `strict` for them.
 */
export function urlSandboxFor(url: URL, pageUrl: string, isolation: PreviewIsolation): string {
  if (isolation === 'strict') return urlSandbox;
  const pageHost = new URL(pageUrl).hostname;
  const host = url.hostname;
  const related = host === pageHost || host.endsWith(`.${pageHost}`) || pageHost.endsWith(`.${host}`);
  return related ? urlSandbox : `${urlSandbox} allow-same-origin`;
}
