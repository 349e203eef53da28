import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import { AwsClient } from 'aws4fetch';
import type { Tenant } from '../store/tenantTransaction.js';
import type {
  ProjectFile,
  ProjectSnapshot,
  ProjectSnapshotStore,
  ProjectVersionSummary,
} from './projectSnapshotStore.js';

/**
 * Options of {@link createS3ProjectSnapshotStore}.
 *
 * @example
 * ```ts
 * const options: S3ProjectSnapshotStoreOptions = {
 *   endpoint: 'https://s3.eu-central-1.amazonaws.com',
 *   bucket: 'my-app-projects',
 *   region: 'eu-central-1',
 *   accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
 *   secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
 * };
 * ```
 */
export interface S3ProjectSnapshotStoreOptions {
  /** The S3 API origin, e.g. `https://s3.us-east-1.amazonaws.com`, a MinIO or R2 endpoint. Buckets are addressed by path. */
  endpoint: string;
  bucket: string;
  /** Default `us-east-1` (R2: `auto`). */
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Prefix of every object key. Default `fragmentkit/projects/`. */
  prefix?: string;
  /** Stamps `createdAt`. Default `Date.now()`. */
  clock?: Clock;
  /** Replaces global `fetch`, e.g. for a proxy. */
  fetch?: typeof fetch;
}

const saveAttempts = 5;

/**
 * Keeps project snapshots in an S3-compatible object store, one JSON object per version at
 * `<prefix><team>/<project>/<version>.json` (team and project ids base64url-encoded, versions
 * zero-padded so keys sort by version). A save lists the project's versions and writes the next
 * one with `If-None-Match: *`, so two concurrent saves never overwrite each other: the loser
 * retries with the next number. Requests are signed with AWS Signature V4 (`aws4fetch`).
 * `listVersions` takes `createdAt` from the objects' `LastModified` (whole seconds).
 *
 * @example
 * ```ts
 * import { createFragmentkit, createS3ProjectSnapshotStore } from '@fragmentkit/server';
 *
 * const fragmentkit = createFragmentkit({
 *   model,
 *   projects: createS3ProjectSnapshotStore({
 *     endpoint: process.env.S3_ENDPOINT!,
 *     bucket: 'projects',
 *     accessKeyId: process.env.S3_ACCESS_KEY_ID!,
 *     secretAccessKey: process.env.S3_SECRET_ACCESS_KEY!,
 *   }),
 * });
 * ```
 */
export function createS3ProjectSnapshotStore(options: S3ProjectSnapshotStoreOptions): ProjectSnapshotStore {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    service: 's3',
    region: options.region ?? 'us-east-1',
  });
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  const prefix = options.prefix ?? 'fragmentkit/projects/';

  const projectPrefix = (tenant: Tenant, projectId: string) =>
    `${prefix}${base64Url(tenant.teamId)}/${base64Url(projectId)}/`;
  const objectUrl = (key: string) => `${base}/${key.split('/').map(encodeURIComponent).join('/')}`;

  async function send(url: string, init: RequestInit, operation: string): Promise<Response> {
    const signed = await client.sign(url, init);
    let response: Response;
    try {
      response = await fetchImpl(signed);
    } catch (error) {
      throw storageError(operation, 'the object store is unreachable', error);
    }
    return response;
  }

  async function listVersions(tenant: Tenant, projectId: string): Promise<ProjectVersionSummary[]> {
    const keyPrefix = projectPrefix(tenant, projectId);
    const versions: ProjectVersionSummary[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix: keyPrefix });
      if (token) query.set('continuation-token', token);
      const response = await send(`${base}?${query}`, { method: 'GET' }, 'list');
      if (!response.ok) throw storageError('list', await describe(response));
      const xml = await response.text();
      for (const contents of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
        const key = decodeXml(tag(contents, 'Key') ?? '');
        const match = /^(\d{10})\.json$/.exec(key.slice(keyPrefix.length));
        if (!key.startsWith(keyPrefix) || !match) continue;
        const modified = tag(contents, 'LastModified');
        versions.push({
          version: Number(match[1]),
          createdAt: new Date(modified ?? clock.now()).toISOString(),
        });
      }
      token = tag(xml, 'IsTruncated') === 'true' ? decodeXml(tag(xml, 'NextContinuationToken') ?? '') : undefined;
    } while (token);
    return versions.sort((a, b) => b.version - a.version);
  }

  async function getVersion(tenant: Tenant, projectId: string, version: number): Promise<ProjectSnapshot | null> {
    const response = await send(
      objectUrl(`${projectPrefix(tenant, projectId)}${pad(version)}.json`),
      { method: 'GET' },
      'get',
    );
    if (response.status === 404) return null;
    if (!response.ok) throw storageError('get', await describe(response));
    return (await response.json()) as ProjectSnapshot;
  }

  async function saveNext(
    tenant: Tenant,
    projectId: string,
    files: ProjectFile[],
    restoredFrom: number | undefined,
  ): Promise<ProjectSnapshot> {
    for (let attempt = 0; attempt < saveAttempts; attempt++) {
      const latest = (await listVersions(tenant, projectId))[0]?.version ?? 0;
      const snapshot: ProjectSnapshot = {
        projectId,
        version: latest + 1,
        files,
        userId: tenant.userId,
        createdAt: new Date(clock.now()).toISOString(),
        ...(restoredFrom === undefined ? {} : { restoredFrom }),
      };
      const response = await send(
        objectUrl(`${projectPrefix(tenant, projectId)}${pad(snapshot.version)}.json`),
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'if-none-match': '*' },
          body: JSON.stringify(snapshot),
        },
        'put',
      );
      // 412: another save took this number first; 409: a conditional write raced on the same key.
      if (response.status === 412 || response.status === 409) continue;
      if (!response.ok) throw storageError('put', await describe(response));
      return snapshot;
    }
    throw new FragmentkitError('INTERNAL', `Saving project ${projectId} kept racing other saves; try again.`, {
      isRetryable: true,
    });
  }

  return {
    save: (tenant, projectId, files) => saveNext(tenant, projectId, files, undefined),
    listVersions,
    getVersion,
    async restore(tenant, projectId, version) {
      const old = await getVersion(tenant, projectId, version);
      if (!old) {
        throw new FragmentkitError('NOT_FOUND', `Project ${projectId} has no version ${version}.`, {
          details: { projectId, version },
        });
      }
      return saveNext(tenant, projectId, old.files, version);
    },
  };
}

function pad(version: number): string {
  return String(version).padStart(10, '0');
}

function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

async function describe(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  const code = tag(body, 'Code');
  return `the object store answered ${response.status}${code ? ` ${code}` : ''}`;
}

function storageError(operation: string, reason: string, cause?: unknown): FragmentkitError {
  return new FragmentkitError('INTERNAL', `Project snapshot ${operation} failed: ${reason}.`, {
    isRetryable: true,
    details: { operation },
    ...(cause === undefined ? {} : { cause }),
  });
}
