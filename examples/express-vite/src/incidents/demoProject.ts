import type { Reporter } from '@fragmentkit/core/reporter';
import { initReporter } from '@fragmentkit/core/reporter';

/** The demo's project; each browser address (a guest team) gets its own. */
export const demoRepo = 'demo/checkout';
export const demoRelease = 'demo-1';

interface IssuedKey {
  ingestKey: { key: string };
}

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

/**
 * What a host does once per deploy, done by the page for the demo: find or create the project
 * (a new ingest key either way) and upload the source maps of the page's own scripts for
 * `demoRelease`. Then it starts the reporter against the app's `/ingest`.
 */
export async function setUpDemoReporting(endpoint: string): Promise<Reporter> {
  const headers = { 'content-type': 'application/json' };
  const { projects } = await json<{ projects: { id: string; repo: string }[] }>(await fetch(`${endpoint}/projects`));
  let project = projects.find((candidate) => candidate.repo === demoRepo);
  let key: string;
  if (project) {
    ({
      ingestKey: { key },
    } = await json<IssuedKey>(
      await fetch(`${endpoint}/projects/${project.id}/ingest-keys/rotate`, { method: 'POST' }),
    ));
  } else {
    const created = await json<IssuedKey & { project: { id: string; repo: string } }>(
      await fetch(`${endpoint}/projects`, { method: 'POST', headers, body: JSON.stringify({ repo: demoRepo }) }),
    );
    project = created.project;
    key = created.ingestKey.key;
  }

  const scripts = [...document.querySelectorAll<HTMLScriptElement>('script[type="module"][src]')].map(
    (script) => script.src,
  );
  const files = await Promise.all(
    scripts.map(async (url) => {
      const response = await fetch(`${url}.map`);
      return response.ok ? { url, map: await response.text() } : null;
    }),
  );
  const maps = files.filter((file) => file !== null);
  if (maps.length > 0) {
    await json(
      await fetch(`${endpoint}/projects/${project.id}/sourcemaps`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ release: demoRelease, files: maps }),
      }),
    );
  }

  return initReporter({
    endpoint: `${endpoint}/ingest`,
    key,
    release: demoRelease,
    environment: 'demo',
    commitSha: 'demo0001',
    repository: demoRepo,
    flushIntervalMs: 250,
  });
}
