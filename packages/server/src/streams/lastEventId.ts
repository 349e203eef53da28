import { FragmentkitError } from '@fragmentkit/core';

/**
 * The id of the last event a resuming client has: the `Last-Event-ID` header (what
 * `EventSource` sends on reconnect), else the `after` query parameter, else 0 (none yet).
 * Anything but a whole number is a 400.
 */
export function readLastEventId(request: Request): number {
  const header = request.headers.get('last-event-id')?.trim();
  const value = header ? header : new URL(request.url).searchParams.get('after');
  if (value === null || value === '') return 0;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `Last-Event-ID (or ?after=) must be the id of an event of this stream, a whole number; got "${value.slice(0, 40)}".`,
    { details: { lastEventId: value.slice(0, 40) } },
  );
}
