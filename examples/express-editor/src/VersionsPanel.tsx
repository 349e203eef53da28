import type { ProjectFile } from './projectModels.js';
import { useProjectVersions } from './useProjectVersions.js';

interface VersionsPanelProps {
  endpoint: string;
  projectId: string;
  files: readonly ProjectFile[];
  onRestored: (files: ProjectFile[]) => void;
}

/** "Save version" and the saved versions, each with Restore. */
export function VersionsPanel({ endpoint, projectId, files, onRestored }: VersionsPanelProps) {
  const { versions, error, busy, save, restore } = useProjectVersions(endpoint, projectId, onRestored);
  return (
    <section className="versions" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <button type="button" disabled={busy} onClick={() => void save(files)}>
        Save version
      </button>
      {error ? (
        <p role="alert" className="agent-error">
          {error}
        </p>
      ) : null}
      <ol className="version-list" aria-label="Saved versions">
        {versions.map((entry) => (
          <li key={entry.version}>
            <span>
              Version {entry.version} · {new Date(entry.createdAt).toLocaleTimeString()}
            </span>
            <button
              type="button"
              disabled={busy}
              aria-label={`Restore version ${entry.version}`}
              onClick={() => void restore(entry.version)}
            >
              Restore
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
