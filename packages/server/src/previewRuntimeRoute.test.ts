import { describe, expect, it, vi } from 'vitest';
import { createFragmentkit } from './fragmentkit.js';

const url = 'http://localhost/api/fragmentkit/preview/runtime.js';
const script = '(()=>{window.__fragmentkitPreview&&(window.__fragmentkitPreview.run=function(){})})();';

function quietLogger() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('GET /preview/runtime.js', () => {
  it('serves the runtime as JavaScript any opaque-origin frame may load in CORS mode', async () => {
    const { handler } = createFragmentkit({ preview: { runtime: script } });
    const response = await handler(new Request(url, { headers: { origin: 'null' } }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(script);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('needs no credentials, even when guests are turned away', async () => {
    const { handler } = createFragmentkit({
      preview: { runtime: script },
      guest: false,
      auth: async () => {
        throw new Error('auth must not run for the runtime');
      },
    });
    expect((await handler(new Request(url))).status).toBe(200);
  });

  it('answers 304 while the ETag matches, and the script again once it changed', async () => {
    const { handler } = createFragmentkit({ preview: { runtime: script } });
    const etag = (await handler(new Request(url))).headers.get('etag')!;
    const revalidated = await handler(new Request(url, { headers: { 'if-none-match': `W/"0", ${etag}` } }));
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    const other = createFragmentkit({ preview: { runtime: `${script};` } });
    const changed = await other.handler(new Request(url, { headers: { 'if-none-match': etag } }));
    expect(changed.status).toBe(200);
  });

  it('loads the script once, and again after a failed load', async () => {
    const loader = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(Object.assign(new Error('ENOENT: preview-runtime.js'), { code: 'ENOENT' }))
      .mockResolvedValue(script);
    const logger = quietLogger();
    const { handler } = createFragmentkit({ preview: { runtime: loader }, logger });
    const failed = await handler(new Request(url));
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('ENOENT');
    expect(JSON.stringify(logger.error.mock.calls)).toContain('ENOENT');
    expect((await handler(new Request(url))).status).toBe(200);
    expect((await handler(new Request(url))).status).toBe(200);
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('rejects an empty script rather than serving a runtime that does nothing', async () => {
    const { handler } = createFragmentkit({ preview: { runtime: () => '' }, logger: quietLogger() });
    expect((await handler(new Request(url))).status).toBe(500);
  });

  it('does not exist without the preview option', async () => {
    const response = await createFragmentkit().handler(new Request(url));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('accepts only GET', async () => {
    const { handler } = createFragmentkit({ preview: { runtime: script } });
    const response = await handler(new Request(url, { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});
