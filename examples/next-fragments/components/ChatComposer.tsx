'use client';

import { type FormEvent, useState } from 'react';

interface ChatComposerProps {
  busy: boolean;
  disabled: boolean;
  onSend: (input: string) => void;
  onStop: () => void;
}

/** The prompt box: Enter sends, Shift+Enter adds a line; Stop while an answer streams in. */
export function ChatComposer({ busy, disabled, onSend, onStop }: ChatComposerProps) {
  const [input, setInput] = useState('');

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!input.trim() || busy || disabled) return;
    onSend(input);
    setInput('');
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="prompt" className="visually-hidden">
        Ask for a fragment
      </label>
      <textarea
        id="prompt"
        rows={3}
        value={input}
        placeholder="Ask for an app, or for a change to the attached code…"
        onChange={(event) => setInput(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
        }}
      />
      <div className="composer-actions">
        <span className="composer-hint">Enter to send · Shift+Enter for a new line</span>
        {busy ? (
          <button type="button" className="button" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="button button-primary" disabled={!input.trim() || disabled}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
