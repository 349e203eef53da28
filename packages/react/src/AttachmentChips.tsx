import { lineRangeLabel } from './lineRangeLabel.js';
import { useAttachments } from './useAttachments.js';

/**
 * Props of {@link AttachmentChips}.
 *
 * @example
 * ```ts
 * const props: AttachmentChipsProps = { className: 'my-chips' };
 * ```
 */
export interface AttachmentChipsProps {
  className?: string;
}

/**
 * The attached snippets as compact chips (`App.tsx:3–5`) with a remove button each, to sit
 * next to a composer. Renders nothing when nothing is attached. Must be inside a
 * `FragmentkitProvider`.
 *
 * @example
 * ```tsx
 * import { AttachmentChips, Composer, useFragmentChat } from '@fragmentkit/react';
 *
 * function Input() {
 *   const chat = useFragmentChat();
 *   return (
 *     <>
 *       <AttachmentChips />
 *       <Composer onSend={chat.send} onStop={chat.stop} busy={chat.status === 'streaming'} />
 *     </>
 *   );
 * }
 * ```
 */
export function AttachmentChips({ className }: AttachmentChipsProps) {
  const { attachments, remove } = useAttachments();
  if (attachments.length === 0) return null;
  return (
    <ul className={className ? `fk-chips ${className}` : 'fk-chips'} aria-label="Attached code">
      {attachments.map((attachment) => {
        const name = attachment.filePath.split('/').pop() ?? attachment.filePath;
        const lines = attachment.kind === 'file' ? 'whole file' : lineRangeLabel(attachment.range);
        return (
          <li key={attachment.id} className="fk-chip" data-kind={attachment.kind} title={attachment.filePath}>
            <span className="fk-chip-label">
              {name} <span className="fk-chip-lines">{lines}</span>
            </span>
            <button
              type="button"
              className="fk-chip-remove"
              aria-label={`Remove ${attachment.filePath} ${lines}`}
              onClick={() => remove(attachment.id)}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
