import { randomBytes } from 'node:crypto';
import type { Clock } from '@fragmentkit/core';
import type { Tenant } from '../tenantTransaction.js';

/** A clock the test moves by hand. */
export interface FakeClock extends Clock {
  advance(milliseconds: number): void;
  set(time: number | Date): void;
}

export function createFakeClock(start: number | Date = Date.UTC(2025, 0, 1)): FakeClock {
  let time = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => time,
    advance: (milliseconds) => {
      time += milliseconds;
    },
    set: (next) => {
      time = typeof next === 'number' ? next : next.getTime();
    },
  };
}

/** A tenant of a team no other test uses, so tests can share one database. */
export function newTenant(userId = 'user-1', teamId = `team-${randomBytes(6).toString('hex')}`): Tenant {
  return { teamId, userId };
}

export const dayMs = 24 * 60 * 60 * 1000;
