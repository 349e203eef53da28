export type { IncidentEvent, IncidentLevel, IncidentRuntime } from '../incidents/incidentEvent.js';
export type { StackFrame } from '../incidents/parseStackTrace.js';
export type { CaptureContext, Reporter, ReporterOptions } from './initReporter.js';
export { initReporter } from './initReporter.js';
export type { ReporterClock, ReporterStats } from './transport.js';
