import { fileURLToPath } from 'node:url';

/** The repository root, whichever directory a script is started from. */
export const workspaceRoot = fileURLToPath(new URL('..', import.meta.url));

/** The published packages, by folder under `packages/`, in dependency order. */
export const packageNames = ['core', 'server', 'react'] as const;

/** A published package's folder name. */
export type PackageName = (typeof packageNames)[number];
