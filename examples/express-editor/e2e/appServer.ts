import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../server/app.js';

/** Starts the editor example on an ephemeral loopback port. */
export async function startAppServer(env: NodeJS.ProcessEnv): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp(env);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      // The PGlite database the app opened.
      await (app.locals.close as (() => Promise<void>) | undefined)?.();
    },
  };
}
