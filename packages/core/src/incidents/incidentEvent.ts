import { z } from 'zod';
import { incidentLimits as limits } from './incidentLimits.js';

/**
 * Severity levels of an incident, most severe first.
 *
 * @example
 * ```ts
 * import { incidentLevels } from '@fragmentkit/core';
 * incidentLevels.includes('fatal'); // true
 * ```
 */
export const incidentLevels = ['fatal', 'error', 'warning', 'info', 'debug'] as const;

/** One of {@link incidentLevels}. */
export type IncidentLevel = (typeof incidentLevels)[number];

const frameText = z.string().max(limits.maxFrameTextLength);
const metadata = z.string().max(limits.maxMetadataLength);

/**
 * Schema of a stack frame (`StackFrame`, from `parseStackTrace`) as it travels inside an incident event.
 *
 * @example
 * ```ts
 * import { stackFrameSchema } from '@fragmentkit/core';
 * stackFrameSchema.parse({ function: 'render', file: 'App.tsx', line: 3, inApp: true, raw: 'at render (App.tsx:3)' });
 * ```
 */
export const stackFrameSchema = z.object({
  function: frameText.optional(),
  file: frameText.optional(),
  line: z.number().int().nonnegative().optional(),
  column: z.number().int().nonnegative().optional(),
  native: z.boolean().optional(),
  eval: z.boolean().optional(),
  async: z.boolean().optional(),
  inApp: z.boolean(),
  raw: frameText,
});

/**
 * Schema of the runtime that reported an incident: `{ name: 'node', version: '20.19.0' }` or
 * `{ name: 'browser', userAgent: '...' }`.
 *
 * @example
 * ```ts
 * import { incidentRuntimeSchema } from '@fragmentkit/core';
 * incidentRuntimeSchema.parse({ name: 'node', version: '20.19.0' });
 * ```
 */
export const incidentRuntimeSchema = z.object({
  name: z.string().min(1).max(32),
  version: metadata.optional(),
  userAgent: metadata.optional(),
});

/**
 * Schema of one incident event, as `@fragmentkit/core/reporter` sends it and the ingest route
 * validates it.
 *
 * @example
 * ```ts
 * import { incidentEventSchema } from '@fragmentkit/core';
 * const result = incidentEventSchema.safeParse(body.events[0]);
 * ```
 */
export const incidentEventSchema = z.object({
  eventId: z.string().min(1).max(64),
  /** ISO 8601, UTC. */
  timestamp: z.iso.datetime(),
  level: z.enum(incidentLevels),
  type: z.string().min(1).max(limits.maxTypeLength),
  message: z.string().max(limits.maxMessageLength),
  frames: z.array(stackFrameSchema).max(limits.maxFrames),
  fingerprint: z.string().min(1).max(128),
  release: metadata.optional(),
  environment: metadata.optional(),
  commitSha: metadata.optional(),
  repository: metadata.optional(),
  runtime: incidentRuntimeSchema,
  tags: z
    .record(z.string().min(1).max(limits.maxTagKeyLength), z.string().max(limits.maxTagValueLength))
    .refine((tags) => Object.keys(tags).length <= limits.maxTags, `at most ${limits.maxTags} tags`)
    .optional(),
  extra: z
    .record(z.string(), z.unknown())
    .refine(
      (extra) => JSON.stringify(extra).length <= limits.maxExtraLength,
      `extra must stay under ${limits.maxExtraLength} characters of JSON`,
    )
    .optional(),
});

/**
 * Schema of the ingest `POST` body: `{ events: [...] }`.
 *
 * @example
 * ```ts
 * import { ingestPayloadSchema } from '@fragmentkit/core';
 *
 * const parsed = ingestPayloadSchema.safeParse(await request.json());
 * if (!parsed.success) return Response.json({ error: { code: 'INVALID_REQUEST' } }, { status: 400 });
 * ```
 */
export const ingestPayloadSchema = z.object({
  events: z.array(incidentEventSchema).min(1).max(limits.maxEventsPerBatch),
});

/** One incident: an exception or message with its parsed frames, fingerprint and deploy metadata. */
export type IncidentEvent = z.infer<typeof incidentEventSchema>;
/** The runtime that reported an incident. */
export type IncidentRuntime = z.infer<typeof incidentRuntimeSchema>;
/** The ingest `POST` body. */
export type IngestPayload = z.infer<typeof ingestPayloadSchema>;
