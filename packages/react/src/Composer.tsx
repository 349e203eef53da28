import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';

/**
 * Props of {@link Composer}.
 *
 * @example
 * ```ts
 * const props: ComposerProps = { onSend: (input) => chat.send(input), label: 'Ask for a change' };
 * ```
 */
export interface ComposerProps {
  /** Called with the trimmed text; the field is cleared. */
  onSend: (input: string) => unknown;
  /** Shown as a Stop button while `busy`. */
  onStop?: () => void;
  /** An answer is streaming: Send is replaced by Stop. */
  busy?: boolean;
  disabled?: boolean;
  /** Visible label of the field. Default "Message". */
  label?: string;
  placeholder?: string;
  className?: string;
}

/**
 * A labelled multi-line message field with Send (Enter) and Stop. Shift+Enter adds a line;
 * text being composed with an input method is never sent half-way.
 *
 * @example
 * ```tsx
 * import { Composer, useFragmentChat } from '@fragmentkit/react';
 *
 * function Input() {
 *   const chat = useFragmentChat();
 *   const busy = chat.status === 'submitted' || chat.status === 'streaming';
 *   return <Composer onSend={(input) => chat.send(input)} onStop={chat.stop} busy={busy} />;
 * }
 * ```
 */
export function Composer({
  onSend,
  onStop,
  busy = false,
  disabled = false,
  label = 'Message',
  placeholder = 'Describe what to build or change…',
  className,
}: ComposerProps) {
  const [value, setValue] = useState('');
  const id = useId();

  function send() {
    const input = value.trim();
    if (input === '' || busy || disabled) return;
    setValue('');
    onSend(input);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    send();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  return (
    <form className={className ? `fk-composer ${className}` : 'fk-composer'} onSubmit={onSubmit}>
      <label htmlFor={id} className="fk-composer-label">
        {label}
      </label>
      <textarea
        id={id}
        className="fk-composer-input"
        value={value}
        placeholder={placeholder}
        rows={3}
        disabled={disabled}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {busy && onStop ? (
        <button type="button" className="fk-button fk-composer-stop" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" className="fk-button fk-composer-send" disabled={disabled || busy || value.trim() === ''}>
          Send
        </button>
      )}
    </form>
  );
}
