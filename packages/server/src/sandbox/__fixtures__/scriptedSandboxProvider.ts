import {
  FragmentkitError,
  type SandboxAcquireOptions,
  type SandboxProvider,
  type SandboxRunResult,
  type SandboxSession,
} from '@fragmentkit/core';

/** What a scripted provider does on `acquire`: hand out a session that prints `stdout`, or throw. */
export type ScriptedAcquire =
  | { stdout: string; url?: string; gate?: Promise<void> }
  | { error: FragmentkitError; gate?: Promise<void> };

/**
 * A sandbox provider for fault cases a real sandbox cannot be made to show on demand (down,
 * circuit open, a run held in flight). It records every acquire and the ids of killed sessions.
 */
export function createScriptedSandboxProvider(script: () => ScriptedAcquire) {
  const acquired: SandboxAcquireOptions[] = [];
  const killed: string[] = [];
  let sessions = 0;
  const provider: SandboxProvider = {
    name: 'scripted',
    async acquire(options) {
      acquired.push(options);
      const step = script();
      await step.gate;
      if ('error' in step) throw step.error;
      sessions += 1;
      return scriptedSession(`scripted-${sessions}`, options.template, step.stdout, step.url, killed);
    },
  };
  return { provider, acquired, killed };
}

function scriptedSession(
  id: string,
  template: string,
  stdout: string,
  url: string | undefined,
  killed: string[],
): SandboxSession {
  const snapshot = { id, template, isolation: 'none' as const, status: 'ready' as const, servers: [] };
  const result: SandboxRunResult = { exitCode: 0, stdout, stderr: '' };
  return {
    id,
    template,
    isolation: 'none',
    writeFiles: async () => {},
    install: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    async run(_command, options) {
      options?.onStdout?.(stdout);
      return result;
    },
    async start(_command, options) {
      if (!url) throw new FragmentkitError('SANDBOX_TIMEOUT', 'No server in this script.');
      return { status: 'ready', port: options.port, url };
    },
    previewUrl: () => url ?? '',
    extendTtl: async () => {},
    release: async () => {},
    kill: async () => {
      killed.push(id);
    },
    getSnapshot: () => snapshot,
    subscribe: () => () => {},
  };
}
