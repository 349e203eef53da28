import type { IncidentEvent, IncidentLevel } from './incidentEvent.js';
import type { StackFrame } from './parseStackTrace.js';

/**
 * Where an incident stands: `open` (needs attention), `resolved` (fixed; it reopens when it
 * happens again) or `ignored` (stays ignored, still counted).
 *
 * @example
 * ```ts
 * import { incidentStatuses } from '@fragmentkit/core';
 * incidentStatuses.includes('resolved'); // true
 * ```
 */
export const incidentStatuses = ['open', 'resolved', 'ignored'] as const;

/**
 * One of {@link incidentStatuses}.
 *
 * @example
 * ```ts
 * const next: IncidentStatus = incident.status === 'open' ? 'resolved' : 'open';
 * ```
 */
export type IncidentStatus = (typeof incidentStatuses)[number];

/**
 * The place in the original source a minified frame maps to, through an uploaded source map.
 *
 * @example
 * ```ts
 * const where = (position: OriginalPosition) => `${position.file}:${position.line}`;
 * ```
 */
export interface OriginalPosition {
  /** The source path as the source map names it, e.g. `src/Checkout.tsx`. */
  file: string;
  line: number;
  column?: number;
  /** The original function name, when the map has names. */
  function?: string;
}

/**
 * A stack frame with its original position, when a source map for its file and release was
 * uploaded.
 *
 * @example
 * ```ts
 * const line = (frame: MappedStackFrame) => frame.original?.line ?? frame.line;
 * ```
 */
export interface MappedStackFrame extends StackFrame {
  original?: OriginalPosition;
}

/**
 * One incident: every event with the same fingerprint in one project, as the server's
 * `/incidents` routes return it. Times are ISO 8601 strings.
 *
 * @example
 * ```ts
 * const label = (incident: Incident) => `${incident.type}: ${incident.message} (${incident.count}×)`;
 * ```
 */
export interface Incident {
  id: string;
  projectId: string;
  /** `owner/repo` of the project. */
  repo: string;
  fingerprint: string;
  type: string;
  message: string;
  level: IncidentLevel;
  status: IncidentStatus;
  /** Events received. */
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Of the latest event that named one. */
  commitSha: string | null;
  environment: string | null;
  release: string | null;
  /** Last change of any kind (new event, status); `GET /incidents?since=` compares with it. */
  updatedAt: string;
}

/**
 * An incident with its latest event and that event's frames, mapped through source maps where
 * one was uploaded: what `GET /incidents/:id` returns and what a "fix" needs.
 *
 * @example
 * ```ts
 * const top = (detail: IncidentDetail) => detail.frames.find((frame) => frame.inApp);
 * ```
 */
export interface IncidentDetail {
  incident: Incident;
  latestEvent: IncidentEvent | null;
  frames: MappedStackFrame[];
}

/**
 * A page of `GET /incidents`: the incidents and the cursor to pass as `since` to get what
 * changed after it.
 *
 * @example
 * ```ts
 * const next = await fetch(`/api/fragmentkit/incidents?repo=acme/shop&since=${encodeURIComponent(page.cursor ?? '')}`);
 * ```
 */
export interface IncidentPage {
  incidents: Incident[];
  /** The latest `updatedAt` seen; null when the project has no incident yet. */
  cursor: string | null;
}
