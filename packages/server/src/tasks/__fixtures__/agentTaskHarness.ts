import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { Fragmentkit } from '../../fragmentkit.js';
import type { AgentTaskView } from '../agentTaskView.js';

export const counterSource = [
  'export function increment(count: number): number {',
  '  return count - 1;',
  '}',
  '',
  'export function double(count: number): number {',
  '  return count * 2;',
  '}',
  '',
].join('\n');

export const fixedCounterSource = counterSource.replace('return count - 1;', 'return count + 1;');

/** A model answer whose hunk header is off by 20 lines: it applies only by re-anchoring on content. */
export const counterPatchAnswer = [
  'The increment function subtracted instead of adding; it now adds one.',
  '',
  '```diff',
  '--- a/src/counter.ts',
  '+++ b/src/counter.ts',
  '@@ -21,3 +21,3 @@',
  ' export function increment(count: number): number {',
  '-  return count - 1;',
  '+  return count + 1;',
  ' }',
  '```',
].join('\n');

export const newTestAnswer = [
  'Adds a test for increment.',
  '',
  '```diff',
  '--- /dev/null',
  '+++ b/src/counter.test.ts',
  '@@ -0,0 +1,2 @@',
  "+import { increment } from './counter';",
  '+test("adds one", () => expect(increment(1)).toBe(2));',
  '```',
].join('\n');

export const unappliableAnswer = [
  'Rewrites a line that is not there.',
  '',
  '```diff',
  '--- a/src/counter.ts',
  '+++ b/src/counter.ts',
  '@@ -1,2 +1,2 @@',
  ' export function triple(count: number): number {',
  '-  return count * 4;',
  '+  return count * 3;',
  '```',
].join('\n');

export const taskUsage = { inputTokens: 321, outputTokens: 54 };

/** The scripted events of an answer: text in two pieces, then `finish` with {@link taskUsage}. */
export function answerEvents(text: string) {
  const middle = Math.floor(text.length / 2);
  return [
    { type: 'text-delta' as const, text: text.slice(0, middle) },
    { type: 'text-delta' as const, text: text.slice(middle) },
    { type: 'finish' as const, finishReason: 'stop' as const, usage: taskUsage },
  ];
}

export const counterFiles = [
  { path: 'src/counter.ts', content: counterSource },
  { path: 'README.md', content: '# Counter\n' },
];

export function taskBody(overrides: Record<string, unknown> = {}) {
  return {
    projectId: 'counter-app',
    files: counterFiles,
    cursor: { file: 'src/counter.ts', line: 2, col: 10 },
    prompt: 'Fix the increment function',
    mode: 'patch',
    ...overrides,
  };
}

/** Calls the handler as `user` of `team` (via the test auth hook that reads these headers). */
export function createCaller(fragmentkit: Fragmentkit) {
  return (path: string, init: RequestInit & { user?: string; team?: string; json?: unknown } = {}) => {
    const { user = 'alice', team = 'team-a', json, ...rest } = init;
    return fragmentkit.handler(
      new Request(`http://localhost/api/fragmentkit${path}`, {
        ...rest,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        headers: {
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          'x-user': user,
          'x-team': team,
          ...(rest.headers as Record<string, string> | undefined),
        },
      }),
    );
  };
}

/** Reads user, team and role from test headers. */
export const headerAuth = async (request: Request) => {
  const userId = request.headers.get('x-user');
  const teamId = request.headers.get('x-team');
  if (!userId || !teamId) return null;
  const role = (request.headers.get('x-role') ?? 'member') as 'member' | 'admin' | 'owner';
  return { userId, teamId, roles: [role], plan: 'free' };
};

export interface TaskEvent {
  id: string | undefined;
  event: string | undefined;
  view: AgentTaskView;
}

/** Reads a task event stream to its end. */
export async function collectTaskEvents(response: Response): Promise<TaskEvent[]> {
  const reader = response
    .body!.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  const events: TaskEvent[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    events.push({ id: next.value.id, event: next.value.event, view: JSON.parse(next.value.data) as AgentTaskView });
  }
  return events;
}

export const silentLogger = { info() {}, warn() {}, error() {} };
