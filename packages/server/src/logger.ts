/**
 * The logger fragmentkit writes to. Pino, bunyan-style and most structured loggers fit as is:
 * the first argument is an object of fields, the second a short message.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { createFragmentkit } from '@fragmentkit/server';
 *
 * const fragmentkit = createFragmentkit({ model, logger: pino() });
 * ```
 */
export interface FragmentkitLogger {
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/**
 * Used when the host passes no logger: quiet about normal traffic, but errors still reach
 * `console.error` as one JSON line each, so a failing deployment is never silent.
 */
export const defaultLogger: FragmentkitLogger = {
  info() {},
  warn() {},
  error(fields, message) {
    console.error(JSON.stringify({ level: 'error', ...fields, ...(message ? { msg: message } : {}) }));
  },
};
