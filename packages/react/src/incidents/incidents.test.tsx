import { createAttachmentStore, type Incident, type IncidentDetail } from '@fragmentkit/core';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FragmentkitProvider } from '../FragmentkitProvider.js';
import { IncidentList } from './IncidentList.js';
import { useIncidents } from './useIncidents.js';

afterEach(cleanup);

const source = [
  'export function total(cart) {',
  '  const rule = cart.rule;',
  '  return cart.sum - rule.amount;',
  '}',
].join('\n');

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'c2b9b5f0-4a5e-4f4e-9a55-2d1f0e7b9c10',
    projectId: 'd1f0e7b9-2f7a-4c1e-9a55-2d1f0e7b9c10',
    repo: 'acme/shop',
    fingerprint: 'f1',
    type: 'TypeError',
    message: 'rule is undefined',
    level: 'error',
    status: 'open',
    count: 1,
    firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: '2025-01-01T00:00:00.000Z',
    commitSha: 'abc1234',
    environment: null,
    release: null,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const detail: IncidentDetail = {
  incident: incident(),
  latestEvent: null,
  frames: [
    {
      function: 'total',
      file: 'http://app.test/src/cart.js',
      line: 3,
      column: 24,
      inApp: true,
      raw: 'at total (http://app.test/src/cart.js:3:24)',
    },
  ],
};

/** A server speaking the incidents wire format; the test writes the event stream. */
function fakeServer(options: { stream: boolean }) {
  const urls: string[] = [];
  const encoder = new TextEncoder();
  let push: (text: string) => void = () => {};
  const pages: Record<string, Incident[]> = { first: [incident()], since: [] };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    urls.push(`${init?.method ?? 'GET'} ${url}`);
    if (url.includes('/incidents/events')) {
      if (!options.stream)
        return Response.json({ error: { code: 'NOT_FOUND', message: 'no stream' } }, { status: 404 });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (text) => controller.enqueue(encoder.encode(text));
          push('id: 1\nevent: ready\ndata: {"cursor":null}\n\n');
          init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    if (init?.method === 'PATCH') {
      const { status } = JSON.parse(String(init.body)) as { status: Incident['status'] };
      return Response.json({ incident: incident({ status, updatedAt: '2025-01-01T00:00:05.000Z' }) });
    }
    if (/\/incidents\/[0-9a-f-]{36}$/.test(url)) return Response.json(detail);
    const since = url.includes('since=');
    return Response.json({ incidents: since ? pages.since : pages.first, cursor: '2025-01-01T00:00:00.000Z' });
  };
  return { fetch, urls, pages, push: (text: string) => push(text) };
}

function Incidents({
  files,
  onFix,
  live,
}: {
  files: { path: string; code: string }[];
  onFix?: () => void;
  live?: boolean;
}) {
  const { incidents, connection, attach, setStatus } = useIncidents({
    repo: 'acme/shop',
    pollIntervalMs: 20,
    live: live ?? true,
  });
  return (
    <>
      <output data-testid="connection">{connection}</output>
      <IncidentList
        incidents={incidents}
        onAttach={async (item) => {
          await attach(item.id, files);
        }}
        onFix={onFix ? () => onFix() : undefined}
        onStatusChange={async (item, status) => {
          await setStatus(item.id, status);
        }}
      />
    </>
  );
}

describe('useIncidents + IncidentList', () => {
  it('lists incidents, then applies live updates from the event stream', async () => {
    const server = fakeServer({ stream: true });
    render(
      <FragmentkitProvider endpoint="/fk" fetch={server.fetch}>
        <Incidents files={[]} />
      </FragmentkitProvider>,
    );
    await screen.findByText('TypeError: rule is undefined');
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('live'));
    expect(server.urls).toContain('GET /fk/incidents?repo=acme%2Fshop');

    const newer = incident({
      id: 'aaaaaaaa-4a5e-4f4e-9a55-2d1f0e7b9c10',
      message: 'cart is null',
      lastSeen: '2025-01-02T00:00:00.000Z',
    });
    act(() => server.push(`id: 2\nevent: incident-updated\ndata: ${JSON.stringify(newer)}\n\n`));
    await screen.findByText('TypeError: cart is null');
    const items = within(screen.getByRole('region', { name: 'Incidents' })).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('strong')?.textContent)).toEqual([
      'TypeError: cart is null',
      'TypeError: rule is undefined',
    ]);
    expect(screen.getByText('2 open of 2')).toBeTruthy();
  });

  it('falls back to polling with since when the stream is unavailable', async () => {
    const server = fakeServer({ stream: false });
    server.pages.since = [incident({ count: 4, updatedAt: '2025-01-01T00:01:00.000Z' })];
    render(
      <FragmentkitProvider endpoint="/fk" fetch={server.fetch}>
        <Incidents files={[]} />
      </FragmentkitProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('polling'));
    await screen.findByText(/4 events/);
    expect(server.urls).toContain('GET /fk/incidents?repo=acme%2Fshop&since=2025-01-01T00%3A00%3A00.000Z');
  });

  it('attaches the incident with the code around its failing line, from the keyboard', async () => {
    const server = fakeServer({ stream: false });
    const store = createAttachmentStore();
    const user = userEvent.setup();
    render(
      <FragmentkitProvider endpoint="/fk" fetch={server.fetch} attachments={store}>
        <Incidents files={[{ path: 'src/cart.js', code: source }]} live={false} />
      </FragmentkitProvider>,
    );
    const attach = await screen.findByRole('button', { name: 'Attach TypeError: rule is undefined' });
    attach.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(store.getSnapshot()).toHaveLength(1));
    expect(store.getSnapshot()[0]).toMatchObject({
      kind: 'error',
      filePath: 'src/cart.js',
      failingLine: 3,
      commitSha: 'abc1234',
      text: source,
    });
  });

  it('runs Fix and status actions, and shows a failed action next to its incident', async () => {
    const server = fakeServer({ stream: false });
    const user = userEvent.setup();
    let fixed = 0;
    render(
      <FragmentkitProvider endpoint="/fk" fetch={server.fetch}>
        <Incidents files={[{ path: 'src/other.js', code: 'x' }]} onFix={() => (fixed += 1)} live={false} />
      </FragmentkitProvider>,
    );
    await user.click(await screen.findByRole('button', { name: 'Fix TypeError: rule is undefined' }));
    expect(fixed).toBe(1);

    await user.click(screen.getByRole('button', { name: 'Attach TypeError: rule is undefined' }));
    expect((await screen.findByRole('alert')).textContent).toContain('src/other.js');

    await user.click(screen.getByRole('button', { name: 'Resolve TypeError: rule is undefined' }));
    await screen.findByRole('button', { name: 'Reopen TypeError: rule is undefined' });
    expect(server.urls).toContain('PATCH /fk/incidents/c2b9b5f0-4a5e-4f4e-9a55-2d1f0e7b9c10');
    expect(screen.getByText('0 open of 1')).toBeTruthy();
  });

  it('says so when there is nothing to show', () => {
    render(<IncidentList incidents={[]} empty="All clear." />);
    expect(screen.getByRole('region', { name: 'Incidents' }).textContent).toBe('All clear.');
  });
});
