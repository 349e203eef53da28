// Separate constants so the browser reporter bundle inlines the few numbers it needs.
/** Events in one `POST`. */
export const maxEventsPerBatch = 100;
/** Frames in one event. */
export const maxFrames = 100;
/** The exception type, in characters. */
export const maxTypeLength = 200;
/** The message, in characters. */
export const maxMessageLength = 8192;
/** A frame's `function`, `file` or `raw`, in characters. */
export const maxFrameTextLength = 2000;
/** `release`, `environment`, `commitSha`, `repository` and runtime fields, in characters. */
export const maxMetadataLength = 500;
/** Entries in `tags`. */
export const maxTags = 32;
/** A tag key, in characters. */
export const maxTagKeyLength = 64;
/** A tag value, in characters. */
export const maxTagValueLength = 200;
/** `extra` serialised as JSON, in characters. */
export const maxExtraLength = 16_384;

/**
 * Size limits of an incident event. The reporter trims events to fit and the ingest schema
 * (`ingestPayloadSchema`) enforces the same numbers, so a reporter event always validates.
 *
 * @example
 * ```ts
 * import { incidentLimits } from '@fragmentkit/core';
 * incidentLimits.maxEventsPerBatch; // 100
 * ```
 */
export const incidentLimits = {
  maxEventsPerBatch,
  maxFrames,
  maxTypeLength,
  maxMessageLength,
  maxFrameTextLength,
  maxMetadataLength,
  maxTags,
  maxTagKeyLength,
  maxTagValueLength,
  maxExtraLength,
} as const;
