import type { ErrorEvent } from '@fragmentkit/core';
import { type ServerSentEvent, toServerSentEvent } from '../sse.js';

const interruptions = {
  failed: 'The stream buffer failed while this answer was being resumed. Reconnect to try again.',
  gone:
    'This answer can no longer be resumed: its buffer expired or the server generating it stopped. ' +
    'Send the request again with the same Idempotency-Key to get its recorded answer.',
} as const;

/**
 * Ends a resumed stream that cannot go on. It carries no id: the client keeps the id of the
 * last real event and may reconnect or replay from there.
 */
export function interruptedEvent(reason: keyof typeof interruptions): ServerSentEvent {
  const event: ErrorEvent = { type: 'error', error: { code: 'STREAM_INCOMPLETE', message: interruptions[reason] } };
  return { ...toServerSentEvent(event, 0), id: '' };
}

/** The final event a resuming reader gets once a stream stopped being buffered midway. */
export const notBufferedEvent: ErrorEvent = {
  type: 'error',
  error: {
    code: 'STREAM_INCOMPLETE',
    message:
      'This answer can no longer be resumed: the server stopped buffering it. ' +
      'Send the request again with the same Idempotency-Key once it has finished to get its recorded answer.',
  },
};

/** The final event of a stream whose client left while the server stops generating with it. */
export const clientLeftEvent: ErrorEvent = {
  type: 'error',
  error: {
    code: 'ABORTED',
    message:
      'The client disconnected, so the server stopped this answer (streams.onClientDisconnect is "abort"). ' +
      'Send the request again with a new Idempotency-Key.',
  },
};

/** The final event of a stream whose source ended without a terminal event. */
export const unfinishedEvent: ErrorEvent = {
  type: 'error',
  error: { code: 'STREAM_INCOMPLETE', message: 'The answer ended before it was complete. Try again.' },
};
