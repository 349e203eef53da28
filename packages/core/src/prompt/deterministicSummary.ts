import type { ConversationTurn } from './conversationTurn.js';
import { toSingleLine } from './dataBlock.js';
import { numberTurns } from './renderTurn.js';

/** Longest request quoted in the summary, in characters; the rest is elided. */
const maxQuotedRequest = 300;

/**
 * A summary of turns made without a model: each turn's request (quoted, long ones elided), what
 * was attached and the title and version of the fragment that came back, in order. It is the
 * fallback when no summarising model is available, so older turns are shortened but never
 * silently dropped.
 *
 * @example
 * ```ts
 * import { summarizeTurnsWithoutModel } from '@fragmentkit/core';
 *
 * summarizeTurnsWithoutModel([{ input: 'Make a counter', fragment: { title: 'Counter', code } }]);
 * // 'Turn 1: the user asked "Make a counter". Answer: fragment "Counter" v1.'
 * ```
 */
export function summarizeTurnsWithoutModel(turns: readonly ConversationTurn[], firstTurnNumber = 1): string {
  return numberTurns(turns)
    .map((turn) => {
      const request = toSingleLine(turn.input).trim();
      const quoted = request.length > maxQuotedRequest ? `${request.slice(0, maxQuotedRequest)}…` : request;
      const attached = (turn.attachments ?? []).map(
        (attachment) =>
          `${toSingleLine(attachment.filePath)} ${
            attachment.kind === 'file'
              ? '(whole file)'
              : `lines ${attachment.range.startLine}-${attachment.range.endLine}`
          }${attachment.kind === 'error' ? ` (${toSingleLine(attachment.errorType)})` : ''}`,
      );
      const answer = turn.fragment
        ? `fragment ${turn.fragment.title ? `"${toSingleLine(turn.fragment.title)}"` : 'untitled'} v${turn.version}`
        : turn.commentary?.trim()
          ? 'a reply without a fragment'
          : 'no answer';
      return `Turn ${turn.number + firstTurnNumber - 1}: the user asked "${quoted}"${
        attached.length > 0 ? ` (attached ${attached.join(', ')})` : ''
      }. Answer: ${answer}.`;
    })
    .join('\n');
}
