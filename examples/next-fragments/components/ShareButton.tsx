'use client';

import { useState } from 'react';
import { endpoint } from './endpoint';

/**
 * Shares a sandbox preview through the server's `POST /share` `{ url }`, which answers a link
 * that redirects to it until it expires. Rendered only when {@link useShareSupport} found the
 * route; fragments previewed in the browser have no sandbox URL, so it stays disabled for them.
 */
export function ShareButton({ previewUrl }: { previewUrl: string | undefined }) {
  const [state, setState] = useState<{ shareUrl?: string; error?: string; busy?: boolean }>({});

  async function share() {
    if (!previewUrl) return;
    setState({ busy: true });
    try {
      const response = await fetch(`${endpoint}/share`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: previewUrl }),
      });
      const body = (await response.json()) as { shareUrl?: string; error?: { message: string } };
      setState(
        body.shareUrl
          ? { shareUrl: body.shareUrl }
          : { error: body.error?.message ?? `Sharing failed (${response.status}).` },
      );
    } catch {
      setState({ error: 'The server could not be reached.' });
    }
  }

  return (
    <span className="share">
      <button
        type="button"
        className="button"
        disabled={!previewUrl || state.busy}
        title={previewUrl ? 'Make a link to this preview' : 'Only previews running in a sandbox can be shared'}
        onClick={() => void share()}
      >
        Share
      </button>
      {state.shareUrl ? (
        <a href={state.shareUrl} target="_blank" rel="noreferrer">
          {state.shareUrl}
        </a>
      ) : null}
      {state.error ? <span role="alert">{state.error}</span> : null}
    </span>
  );
}
