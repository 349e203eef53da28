import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import { parseStoreInput } from '../store/storeInput.js';
import type { Tenant } from '../store/tenantTransaction.js';
import type { IdempotencyBeginInput, IdempotencyCompleteInput, IdempotencyKeyId } from './idempotencyStore.js';

const dayMs = 24 * 60 * 60 * 1000;
const ownerSchema = z.object({ teamId: z.string().min(1).max(256), userId: z.string().min(1).max(256) });
const keyIdSchema = z.object({ scope: z.string().min(1).max(128), key: z.string().min(1).max(255) });
const beginSchema = keyIdSchema.extend({
  requestHash: z.string().regex(/^\S{1,100}$/, 'requestHash must be 1 to 100 characters without spaces'),
  requestId: z.string().regex(/^\S{1,128}$/, 'requestId must be 1 to 128 characters without spaces'),
  ttlMs: z
    .number()
    .int()
    .min(1)
    .max(365 * dayMs),
});
const headersSchema = z.record(z.string(), z.string());
const completeSchema = keyIdSchema.extend({
  ttlMs: beginSchema.shape.ttlMs.optional(),
  response: z.union([
    z.object({ status: z.number().int().min(100).max(599), headers: headersSchema, body: z.string() }).strict(),
    z
      .object({
        status: z.number().int().min(100).max(599),
        headers: headersSchema,
        events: z.array(z.object({ id: z.string(), event: z.string(), data: z.string() }).strict()),
      })
      .strict(),
  ]),
});

/** Checks the owner and key of a store call; `INVALID_REQUEST` names what is wrong. */
export function checkKeyId(owner: Tenant, id: IdempotencyKeyId, operation: string): IdempotencyKeyId {
  parseStoreInput(ownerSchema, owner, operation);
  return parseStoreInput(keyIdSchema, id, operation);
}

export function checkBegin(owner: Tenant, input: IdempotencyBeginInput): IdempotencyBeginInput {
  parseStoreInput(ownerSchema, owner, 'idempotency begin');
  return parseStoreInput(beginSchema, input, 'idempotency begin');
}

export function checkComplete(owner: Tenant, input: IdempotencyCompleteInput): IdempotencyCompleteInput {
  parseStoreInput(ownerSchema, owner, 'idempotency complete');
  return parseStoreInput(completeSchema, input, 'idempotency complete');
}

/** What `complete` throws for a key that is not in flight, in every store. */
export function notInFlight({ scope, key }: IdempotencyKeyId): FragmentkitError {
  return new FragmentkitError('NOT_FOUND', `No in-flight idempotency key ${key} in ${scope}.`, {
    details: { scope, key },
  });
}
