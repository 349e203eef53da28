import type { Attachment } from '../attachments/attachment.js';
import type { ConversationTurn, TurnFragment } from './conversationTurn.js';
import { renderDataBlock, toSingleLine } from './dataBlock.js';
import type { ModelMessage } from './types.js';

/** A turn with its fragment's version settled. */
export interface NumberedTurn extends ConversationTurn {
  /** 1-based position in the conversation. */
  number: number;
}

/** Gives every fragment a version: its own, else one more than the previous fragment's. */
export function numberTurns(turns: readonly ConversationTurn[]): NumberedTurn[] {
  let lastVersion = 0;
  return turns.map((turn, index) => {
    if (!turn.fragment) return { ...turn, number: index + 1 };
    const version = turn.version ?? lastVersion + 1;
    lastVersion = version;
    return { ...turn, version, number: index + 1 };
  });
}

/** How a fragment is named in references: title, version, file, size. */
export function describeFragment(fragment: TurnFragment, version: number | undefined): string {
  const files = [fragment.file_path, ...(fragment.files ?? []).map((file) => file.file_path)].filter(Boolean);
  const lines = [fragment.code, ...(fragment.files ?? []).map((file) => file.code)].reduce(
    (sum, code) => sum + lineCount(code),
    0,
  );
  const title = fragment.title ? `"${toSingleLine(fragment.title)}"` : 'untitled';
  const where = files.length > 0 ? `${files.map((file) => toSingleLine(file ?? '')).join(', ')}, ` : '';
  return `fragment ${title}${version === undefined ? '' : ` v${version}`} (${where}${lines} line${lines === 1 ? '' : 's'} of code)`;
}

/**
 * The two messages of an earlier turn. Code never appears: the user's attachments are named by
 * path and lines, and the answer keeps its commentary with a reference in place of the fragment.
 */
export function renderTurn(turn: NumberedTurn, isLatestFragment: boolean): [ModelMessage, ModelMessage] {
  const attached = (turn.attachments ?? []).map(describeAttachment);
  const user = [
    turn.input.trim() === '' ? '[fragmentkit: no request was recorded for this turn]' : turn.input,
    ...(attached.length > 0 ? [`[fragmentkit: attached then, not repeated here: ${attached.join(', ')}]`] : []),
  ].join('\n\n');

  const commentary = turn.commentary ?? turn.fragment?.commentary;
  const parts: string[] = [];
  if (commentary?.trim()) parts.push(commentary);
  if (turn.fragment) {
    const where = isLatestFragment
      ? 'it is the current fragment, shown in full with my latest message'
      : 'a later version replaced it';
    parts.push(
      `[fragmentkit: answered with ${describeFragment(turn.fragment, turn.version)}; code not repeated here: ${where}]`,
    );
  }
  if (parts.length === 0) parts.push('[fragmentkit: no answer was recorded for this turn]');
  return [
    { role: 'user', content: user },
    { role: 'assistant', content: parts.join('\n\n') },
  ];
}

/** The heading of the latest fragment; each file follows as a data block. */
export function latestFragmentHeading(fragment: TurnFragment, version: number | undefined): string {
  const details = [
    fragment.template ? `template ${toSingleLine(fragment.template)}` : '',
    fragment.additional_dependencies?.length
      ? `additional dependencies: ${fragment.additional_dependencies.map(toSingleLine).join(', ')}`
      : '',
  ].filter(Boolean);
  const title = fragment.title ? ` "${toSingleLine(fragment.title)}"` : '';
  return `The current fragment${title}${version === undefined ? '' : `, version ${version}`}${
    details.length > 0 ? ` (${details.join('; ')})` : ''
  }, which my request is about. Answer with the complete updated fragment:`;
}

/** The files of a fragment: the main file first. */
export function fragmentFiles(fragment: TurnFragment): { filePath: string; code: string }[] {
  return [
    { filePath: fragment.file_path || 'main file', code: fragment.code },
    ...(fragment.files ?? [])
      .filter((file) => file.file_path !== fragment.file_path)
      .map((file) => ({
        filePath: file.file_path,
        code: file.code,
      })),
  ];
}

/** One file of the latest fragment as a data block. */
export function renderFragmentFile(filePath: string, code: string, language: string, note?: string): string {
  const block = renderDataBlock(`File: ${filePath}`, code, language);
  return note ? `${block}\n${note}` : block;
}

function describeAttachment(attachment: Attachment): string {
  const path = toSingleLine(attachment.filePath);
  if (attachment.kind === 'error') {
    return `${toSingleLine(attachment.errorType)} at ${path} line ${attachment.failingLine}`;
  }
  if (attachment.kind === 'file') return `${path} (whole file)`;
  return `${path} lines ${attachment.range.startLine}-${attachment.range.endLine}`;
}

function lineCount(code: string): number {
  return code === '' ? 0 : code.split('\n').length;
}
