import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttachedContextPanel } from './AttachedContextPanel.js';
import { CodeView } from './CodeView.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { useFragmentChat } from './useFragmentChat.js';

function ChatStatus() {
  const { status } = useFragmentChat();
  return <output>{status}</output>;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('server rendering', () => {
  it('renders every component without a window or document', () => {
    // As on a server: any access during render would throw.
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('document', undefined);
    expect(typeof window).toBe('undefined');
    const html = renderToString(
      <FragmentkitProvider>
        <CodeView code={'const a = 1;\nconst b = 2;\n'} filePath="src/a.ts" />
        <AttachedContextPanel />
        <ChatStatus />
      </FragmentkitProvider>,
    );
    expect(html).toContain('data-line="2"');
    expect(html).not.toContain('data-line="3"');
    expect(html).toContain('No code attached');
    expect(html).toContain('<output>idle</output>');
  });
});
