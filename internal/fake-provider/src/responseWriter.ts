import type { ServerResponse } from 'node:http';

/**
 * Writes SSE frames one at a time, honouring backpressure, and notices when the client has
 * gone away so the fake stops writing into a dead socket.
 */
export interface ResponseWriter {
  /** Resolves `false` once the client has disconnected. */
  write(frame: string): Promise<boolean>;
  end(): void;
  /**
   * Waits `ms` (forever when omitted) without writing. Resolves `false` as soon as the client
   * disconnects, so a fake that holds a response never outlives its client.
   */
  hold(ms?: number): Promise<boolean>;
  /** Closes the connection in the middle of the body, after what was written so far is flushed. */
  drop(): void;
  /** True when the connection closed before {@link ResponseWriter.end}. */
  readonly disconnected: boolean;
}

export function createResponseWriter(response: ServerResponse): ResponseWriter {
  let disconnected = false;
  response.on('close', () => {
    if (!response.writableFinished) disconnected = true;
  });

  return {
    get disconnected() {
      return disconnected;
    },
    async write(frame) {
      if (disconnected || response.destroyed) return false;
      if (response.write(frame)) return true;
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
      return !disconnected;
    },
    end() {
      if (!disconnected && !response.destroyed) response.end();
    },
    hold(ms) {
      if (disconnected || response.destroyed) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const timer = ms === undefined ? undefined : setTimeout(() => finish(true), ms);
        function finish(stillConnected: boolean) {
          clearTimeout(timer);
          response.off('close', onClose);
          resolve(stillConnected);
        }
        function onClose() {
          finish(false);
        }
        response.on('close', onClose);
      });
    },
    drop() {
      // end() rather than destroy(): what was written reaches the client, then the body breaks off.
      response.socket?.end();
    },
  };
}
