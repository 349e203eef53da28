/**
 * Where the router reports failovers and broken hooks. Pino, bunyan-style loggers and the
 * server's `FragmentkitLogger` fit as is: an object of fields first, then a short message.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const router = createRouter({ targets, routes, logger: pino() });
 * ```
 */
export interface RouterLogger {
  /** A failed attempt the router recovered from or moved past; normal under load. */
  info(fields: Record<string, unknown>, message?: string): void;
  /** Something the host should look at, e.g. an `onAnswer` hook that threw. */
  warn(fields: Record<string, unknown>, message?: string): void;
}

/**
 * Quiet about failovers, loud about broken hooks.
 *
 * @example
 * ```ts
 * const logger: RouterLogger = options.logger ?? defaultRouterLogger;
 * ```
 */
export const defaultRouterLogger: RouterLogger = {
  info() {},
  warn(fields, message) {
    console.warn(`[fragmentkit] ${message ?? 'router warning'}`, fields);
  },
};
