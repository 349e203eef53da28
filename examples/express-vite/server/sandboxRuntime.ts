import { createE2BSandboxProvider } from '@fragmentkit/core/e2b';
import { createLocalSandboxProvider } from '@fragmentkit/core/node';
import type { FragmentkitConfig } from '@fragmentkit/server';

/**
 * Where "Run" executes fragments:
 * - `local`: this machine, isolated by bubblewrap (Linux, `bwrap` installed); without it runs
 *   report the preview as unavailable rather than run code unisolated;
 * - `e2b`: E2B cloud sandboxes (needs `E2B_API_KEY`; `E2B_DOMAIN`, `E2B_API_URL` and
 *   `E2B_SANDBOX_URL`, the variables the e2b SDK itself reads, point it at a self-hosted E2B
 *   or a local fake);
 * - `browser`: nowhere on the server; only the in-browser preview renders React fragments.
 */
export type SandboxRuntime = 'local' | 'e2b' | 'browser';

/** The runtime the app uses and the sandbox setting for `createFragmentkit`. */
export interface ConfiguredSandbox {
  runtime: SandboxRuntime;
  sandbox: FragmentkitConfig['sandbox'];
  /** Stops every sandbox this app started. */
  close(): Promise<void>;
}

/**
 * Reads `FRAGMENTKIT_SANDBOX` (`local`, `e2b` or `browser`). Unset, it is `e2b` when
 * `E2B_API_KEY` is set and `browser` otherwise: running generated code on this machine is
 * something to ask for.
 */
export function sandboxFromEnv(env: NodeJS.ProcessEnv): ConfiguredSandbox {
  const requested = env.FRAGMENTKIT_SANDBOX?.trim().toLowerCase() || (env.E2B_API_KEY ? 'e2b' : 'browser');
  // Share links of previews expire with the sandboxes they point to.
  const share = { defaultTtlSeconds: 900, maxTtlSeconds: 3_600, previewTtlMs: 15 * 60_000 };
  switch (requested) {
    case 'local': {
      const provider = createLocalSandboxProvider({ bubblewrap: 'require', env: { MPLBACKEND: 'Agg' } });
      return {
        runtime: 'local',
        sandbox: { provider, share, timeouts: { runMs: 30_000 } },
        close: () => provider.close(),
      };
    }
    case 'e2b': {
      if (!env.E2B_API_KEY) throw new Error('FRAGMENTKIT_SANDBOX=e2b needs E2B_API_KEY.');
      // Read from `env`, not only `process.env` where the SDK looks, so the app honours the env it is given.
      const provider = createE2BSandboxProvider({
        apiKey: env.E2B_API_KEY,
        ...(env.E2B_DOMAIN ? { domain: env.E2B_DOMAIN } : {}),
        ...(env.E2B_API_URL ? { apiUrl: env.E2B_API_URL } : {}),
        ...(env.E2B_SANDBOX_URL ? { sandboxUrl: env.E2B_SANDBOX_URL } : {}),
      });
      return { runtime: 'e2b', sandbox: { provider, share }, close: () => provider.close() };
    }
    case 'browser':
      return { runtime: 'browser', sandbox: undefined, close: async () => {} };
    default:
      throw new Error(`FRAGMENTKIT_SANDBOX must be local, e2b or browser; got "${requested}".`);
  }
}
