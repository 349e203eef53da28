import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttachedContextPanel } from './AttachedContextPanel.js';
import { AttachmentChips } from './AttachmentChips.js';
import { useAgentTask } from './agentTask/useAgentTask.js';
import { ChatThread } from './ChatThread.js';
import { CodeView } from './CodeView.js';
import { Composer } from './Composer.js';
import { ContextBudgetBar } from './ContextBudgetBar.js';
import { DiffView } from './DiffView.js';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { UsageMeter } from './UsageMeter.js';
import { useFragmentChat } from './useFragmentChat.js';

function ChatScreen() {
  const chat = useFragmentChat({ conversationId: 'conv_1' });
  const task = useAgentTask();
  return (
    <>
      <ChatThread messages={chat.messages} notice={chat.notice} onRetry={chat.retry} />
      <AttachmentChips />
      <Composer onSend={chat.send} onStop={chat.stop} busy={chat.status === 'streaming'} />
      <output>{`${chat.historyStatus}/${task.status}`}</output>
    </>
  );
}

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

  it('renders the chat, review and budget components without a window or document', () => {
    vi.stubGlobal('window', undefined);
    vi.stubGlobal('document', undefined);
    const html = renderToString(
      <FragmentkitProvider>
        <ChatScreen />
        <DiffView files={[{ path: 'src/a.ts', diff: '@@ -1 +1 @@\n-a\n+b\n' }]} onAccept={() => {}} />
        <UsageMeter usage={{ inputTokens: 1200, outputTokens: 3 }} />
        <ContextBudgetBar
          report={{
            tokenizer: 'estimate',
            totalTokens: 700,
            parts: [],
            attachments: [],
            budget: { contextWindow: 2000, reservedOutputTokens: 900, safetyMarginTokens: 100, availableTokens: 1000 },
          }}
        />
      </FragmentkitProvider>,
    );
    expect(html).toContain('<output>idle/idle</output>');
    expect(html).toContain('Accept changes to src/a.ts');
    expect(html).toContain('1,200 in · 3 out');
    expect(html).toContain('data-level="warning"');
  });
});
