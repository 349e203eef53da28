import { useCallback, useEffect, useState } from 'react';
import type { ProjectFile } from './projectModels.js';

/** A saved version as `GET /projects/:id/versions` lists it. */
export interface VersionSummary {
  version: number;
  createdAt: string;
}

async function readJson<Body>(response: Response): Promise<Body> {
  const body = (await response.json().catch(() => undefined)) as (Body & { error?: { message?: string } }) | undefined;
  if (!response.ok) throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
  return body as Body;
}

/**
 * The project's saved versions on the fragmentkit server: save the current files, list the
 * versions, and restore one (the server saves it again as the newest version; its files are
 * handed to `onRestored`).
 */
export function useProjectVersions(
  endpoint: string,
  projectId: string,
  onRestored: (files: ProjectFile[], version: number) => void,
) {
  const base = `${endpoint}/projects/${encodeURIComponent(projectId)}`;
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    const body = await readJson<{ versions: VersionSummary[] }>(await fetch(`${base}/versions`));
    setVersions([...body.versions].sort((a, b) => b.version - a.version));
  }, [base]);

  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void run(refresh);
  }, [run, refresh]);

  const save = (files: readonly ProjectFile[]) =>
    run(async () => {
      await readJson(
        await fetch(`${base}/save`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ files }),
        }),
      );
      await refresh();
    });

  const restore = (version: number) =>
    run(async () => {
      const restored = await readJson<{ version: number }>(
        await fetch(`${base}/restore`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ version }),
        }),
      );
      const snapshot = await readJson<{ files: ProjectFile[] }>(await fetch(`${base}/versions/${restored.version}`));
      onRestored(snapshot.files, version);
      await refresh();
    });

  return { versions, error, busy, save, restore };
}
