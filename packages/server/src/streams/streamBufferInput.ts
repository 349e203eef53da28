import { FragmentkitError } from '@fragmentkit/core';

/** Checks a duration, size or count option: a whole number of at least 1. */
export function checkWholeNumber(value: number, name: string): number {
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new FragmentkitError('INVALID_REQUEST', `${name} must be a whole number of at least 1; got ${value}.`, {
    details: { [name]: value },
  });
}

/** Checks the id a read starts after: 0 for the whole stream, else an event id. */
export function checkAfter(after: number): void {
  if (Number.isSafeInteger(after) && after >= 0) return;
  throw new FragmentkitError('INVALID_REQUEST', `A stream is read after an event id (0 or more); got ${after}.`);
}
