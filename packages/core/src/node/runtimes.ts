import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** An interpreter the sandbox runs: the binary to call and the folders it needs to see. */
export interface Runtime {
  executable: string;
  /** Installation folders (read-only inside the sandbox). */
  prefixes: string[];
  /** The folder PATH gets, so `python3`/`node` inside the sandbox is this runtime. */
  binDir: string;
}

/** The Node.js running this process. */
export function resolveNodeRuntime(): Runtime {
  const executable = realpathSync(process.execPath);
  const binDir = dirname(executable);
  return { executable, prefixes: [dirname(binDir)], binDir };
}

/**
 * Asks `command` (e.g. `python3`, maybe a pyenv shim) for the real interpreter behind it, so
 * the sandbox can call the binary directly and mount only its installation, not the shim's
 * home folder. Resolves to `undefined` when there is no Python.
 */
export function resolvePythonRuntime(command: string): Promise<Runtime | undefined> {
  const probe =
    'import json, os, sys; print(json.dumps({"executable": os.path.realpath(sys.executable), "prefixes": sorted({os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), os.path.realpath(sys.exec_prefix)})}))';
  return new Promise((resolve) => {
    execFile(command, ['-c', probe], { timeout: 20_000, windowsHide: true }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const parsed = JSON.parse(stdout) as { executable: string; prefixes: string[] };
        if (!parsed.executable) return resolve(undefined);
        resolve({ executable: parsed.executable, prefixes: parsed.prefixes, binDir: dirname(parsed.executable) });
      } catch {
        resolve(undefined);
      }
    });
  });
}
