import { FragmentkitError } from '../errors.js';
import type { QuotaConsumption, QuotaLimitsByScope, QuotaSubject } from './types.js';

/*
 * The quota's units and input checks. Counters hold whole numbers only: tokens, and money as
 * micro-dollars (millionths of a USD), so sums never drift and Redis adds them with INCRBY.
 */

export const microUsdPerUsd = 1_000_000;

export const quotaScopes = ['user', 'team'] as const;

/** Each limit a scope can have: the field of {@link QuotaLimits}, its period and what it counts. */
export const limitFields = [
  { field: 'dailyTokens', period: 'day', metric: 'tokens' },
  { field: 'monthlyTokens', period: 'month', metric: 'tokens' },
  { field: 'dailyUsd', period: 'day', metric: 'usd' },
  { field: 'monthlyUsd', period: 'month', metric: 'usd' },
] as const;

export type QuotaScope = (typeof quotaScopes)[number];
export type LimitField = (typeof limitFields)[number];

/** Throws `INVALID_REQUEST` naming the first limit that is not valid; answers `limits` otherwise. */
export function validateLimits(limits: QuotaLimitsByScope): QuotaLimitsByScope {
  for (const scope of quotaScopes) {
    for (const definition of limitFields) {
      const value = limits[scope]?.[definition.field];
      if (value !== undefined) limitInCounterUnits(value, definition, scope);
    }
  }
  return limits;
}

/** A limit in counter units (tokens, or micro-dollars rounded to the nearest), or `INVALID_REQUEST`. */
export function limitInCounterUnits(value: unknown, definition: LimitField, scope: QuotaScope): number {
  if (typeof value === 'number' && value >= 0) {
    const units = definition.metric === 'tokens' ? value : Math.round(value * microUsdPerUsd);
    if (Number.isSafeInteger(units)) return units;
  }
  const kind = definition.metric === 'tokens' ? 'a whole number of tokens' : 'a number of USD';
  throw invalid(`Quota limit ${scope}.${definition.field} must be ${kind}, at least 0; got ${String(value)}.`, {
    field: definition.field,
    value: typeof value === 'number' ? value : String(value),
  });
}

/** A consumption in counter units, or `INVALID_REQUEST`. A missing `usd` counts as 0. */
export function consumptionInCounterUnits(consumption: QuotaConsumption): { tokens: number; usd: number } {
  const { tokens, usd } = consumption;
  if (typeof tokens !== 'number' || !Number.isSafeInteger(tokens) || tokens < 0) {
    throw invalid(`Quota consumption tokens must be a whole number of at least 0; got ${String(tokens)}.`, {
      field: 'tokens',
    });
  }
  if (usd === undefined) return { tokens, usd: 0 };
  const microUsd = typeof usd === 'number' && usd >= 0 ? Math.round(usd * microUsdPerUsd) : Number.NaN;
  if (!Number.isSafeInteger(microUsd)) {
    throw invalid(`Quota consumption usd must be a number of at least 0; got ${String(usd)}.`, { field: 'usd' });
  }
  return { tokens, usd: microUsd };
}

/** The user and team of a subject that are set, or `INVALID_REQUEST` for an empty id. */
export function scopesOf(subject: QuotaSubject): { scope: QuotaScope; subjectId: string }[] {
  return quotaScopes.flatMap((scope) => {
    const subjectId = scope === 'user' ? subject.userId : subject.teamId;
    if (subjectId === undefined) return [];
    if (typeof subjectId !== 'string' || subjectId === '') {
      throw invalid(`The quota subject's ${scope}Id must be a non-empty string.`, { field: `${scope}Id` });
    }
    return [{ scope, subjectId }];
  });
}

function invalid(message: string, details: Record<string, unknown>): FragmentkitError {
  return new FragmentkitError('INVALID_REQUEST', message, { details });
}
