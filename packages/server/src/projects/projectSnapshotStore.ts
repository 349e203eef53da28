import type { Tenant } from '../store/tenantTransaction.js';

/**
 * One file of a project snapshot.
 *
 * @example
 * ```ts
 * const file: ProjectFile = { path: 'src/App.tsx', content: 'export default function App() {}\n' };
 * ```
 */
export interface ProjectFile {
  path: string;
  content: string;
}

/**
 * A saved version of a project's files. Versions count 1, 2, 3… per project and never change;
 * a restore saves the old files as a new version (`restoredFrom` names the old one).
 *
 * @example
 * ```ts
 * const snapshot: ProjectSnapshot = await snapshots.save(tenant, 'web-app', files);
 * console.log(`saved version ${snapshot.version}`);
 * ```
 */
export interface ProjectSnapshot {
  projectId: string;
  version: number;
  files: ProjectFile[];
  /** Who saved it. */
  userId: string;
  /** ISO 8601. */
  createdAt: string;
  restoredFrom?: number;
}

/**
 * One entry of a project's version list (without the files).
 *
 * @example
 * ```ts
 * const entries: ProjectVersionSummary[] = await snapshots.listVersions(tenant, 'web-app');
 * ```
 */
export interface ProjectVersionSummary {
  version: number;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * Versioned snapshots of a project's files, scoped by team: a project id is a string the host
 * chooses, and the same id in two teams names two projects. Every member of the team reads and
 * saves the team's projects. Implementations: the fragment store's `projectSnapshots`
 * (database) and {@link createS3ProjectSnapshotStore} (any S3-compatible object store).
 *
 * @example
 * ```ts
 * const first = await snapshots.save(tenant, 'web-app', [{ path: 'index.html', content: '<h1>Hi</h1>' }]);
 * await snapshots.save(tenant, 'web-app', [{ path: 'index.html', content: '<h1>Hello</h1>' }]);
 * const restored = await snapshots.restore(tenant, 'web-app', first.version); // version 3, files of version 1
 * ```
 */
export interface ProjectSnapshotStore {
  /** Saves the files as the project's next version. */
  save(tenant: Tenant, projectId: string, files: ProjectFile[]): Promise<ProjectSnapshot>;
  /** The project's versions, newest first; empty for a project never saved. */
  listVersions(tenant: Tenant, projectId: string): Promise<ProjectVersionSummary[]>;
  /** One version with its files, or null. */
  getVersion(tenant: Tenant, projectId: string, version: number): Promise<ProjectSnapshot | null>;
  /**
   * Saves the files of `version` as the next version.
   *
   * @throws {FragmentkitError} `NOT_FOUND` when the project has no such version.
   */
  restore(tenant: Tenant, projectId: string, version: number): Promise<ProjectSnapshot>;
}
