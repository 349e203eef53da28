// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the scripted session's code is text that contains template literals.
/**
 * What the context engine saves, and what it costs.
 *
 * 1. A scripted 10-turn session (generate a React component, then nine edits, with one or two
 *    attached snippets per turn): input tokens per turn when the whole history is resent, as the
 *    seed design does (every earlier turn with its full fragment as JSON), against the prompt
 *    `buildPrompt` builds for claude-sonnet-4-5, the cacheable share of that prompt, and whether
 *    every attached snippet is in it (or cut with its note). Target: turn 10 at most 25% of naive.
 * 2. Build time for 50 snippets of 500 lines each with the context budget on (default caps,
 *    the model's window) against the same build with budgeting off (no caps, no window: every
 *    snippet rendered and counted whole). Target: at most 5 ms per budgeted build with the
 *    default estimator.
 *
 * Both compare against a baseline measured in the same run. Tokens are counted with the default
 * estimator (and exactly with o200k_base when `gpt-tokenizer` is installed). The figures and the
 * tokens-per-turn curve go to `pnpm bench` through the report contract (bench/README.md); a missed
 * target is a finding there, not a failed run. With BENCH_SMOKE=1 the build is timed a few times only.
 *
 * Run from the repository root: pnpm exec tsx bench/context.bench.ts
 */
import type { Attachment } from '../packages/core/src/attachments/attachment.js';
import { createAttachment, sliceLines } from '../packages/core/src/attachments/createAttachment.js';
import type { Fragment } from '../packages/core/src/fragment/schema.js';
import { buildPrompt } from '../packages/core/src/prompt/buildPrompt.js';
import type { ConversationTurn } from '../packages/core/src/prompt/conversationTurn.js';
import { renderAttachment } from '../packages/core/src/prompt/renderAttachment.js';
import { buildSystemPrompt } from '../packages/core/src/prompt/systemPrompt.js';
import { loadGptTokenizer } from '../packages/core/src/tokens/gptTokenizer.js';
import { estimateTokenizer, type Tokenizer } from '../packages/core/src/tokens/tokenizer.js';
import { type BenchRow, isBenchSmokeRun, reportBench } from '../scripts/benchReport.js';

const model = 'claude-sonnet-4-5';

/** One feature of the todo app: the request that asks for it and the code it adds. */
interface Feature {
  request: string;
  commentary: string;
  state: string[];
  handlers: string[];
  markup: string[];
  styles: string[];
}

const features: Feature[] = [
  {
    request: 'Add a filter so I can show all, open or done todos.',
    commentary: 'Added a filter with three buttons; the list shows only the todos that match it.',
    state: ["  const [filter, setFilter] = useState<'all' | 'open' | 'done'>('all');"],
    handlers: [
      '  const visible = todos.filter((todo) =>',
      "    filter === 'all' ? true : filter === 'done' ? todo.done : !todo.done,",
      '  );',
    ],
    markup: [
      '      <nav style={styles.filters} aria-label="Filter todos">',
      "        {(['all', 'open', 'done'] as const).map((value) => (",
      '          <button',
      '            key={value}',
      '            type="button"',
      '            aria-pressed={filter === value}',
      '            style={filter === value ? styles.filterActive : styles.filter}',
      '            onClick={() => setFilter(value)}',
      '          >',
      '            {value}',
      '          </button>',
      '        ))}',
      '      </nav>',
    ],
    styles: [
      "  filters: { display: 'flex', gap: 8, margin: '12px 0' },",
      "  filter: { padding: '4px 10px', borderRadius: 6, border: '1px solid #cbd5e1', background: 'white' },",
      "  filterActive: { padding: '4px 10px', borderRadius: 6, border: '1px solid #2563eb', background: '#dbeafe' },",
    ],
  },
  {
    request: 'Keep the todos in localStorage so they survive a reload.',
    commentary: 'Todos are now loaded from localStorage on start and saved whenever they change.',
    state: [],
    handlers: [
      '  useEffect(() => {',
      "    const saved = window.localStorage.getItem('todos');",
      '    if (saved) setTodos(JSON.parse(saved) as Todo[]);',
      '  }, []);',
      '',
      '  useEffect(() => {',
      "    window.localStorage.setItem('todos', JSON.stringify(todos));",
      '  }, [todos]);',
    ],
    markup: [],
    styles: [],
  },
  {
    request: 'Let me edit the text of a todo by double-clicking it.',
    commentary: 'Double-clicking a todo turns it into a text field; Enter saves, Escape cancels.',
    state: [
      '  const [editingId, setEditingId] = useState<string | null>(null);',
      "  const [draft, setDraft] = useState('');",
    ],
    handlers: [
      '  function startEditing(todo: Todo) {',
      '    setEditingId(todo.id);',
      '    setDraft(todo.text);',
      '  }',
      '',
      '  function saveEdit(id: string) {',
      '    const text = draft.trim();',
      '    if (text) setTodos((current) => current.map((todo) => (todo.id === id ? { ...todo, text } : todo)));',
      '    setEditingId(null);',
      '  }',
    ],
    markup: [],
    styles: [
      "  editInput: { flex: 1, padding: '2px 6px', fontSize: 15, border: '1px solid #94a3b8', borderRadius: 4 },",
    ],
  },
  {
    request: 'Todos need an optional due date, picked with a date input.',
    commentary: 'Each todo can have a due date; the form has a date input and the list shows the date.',
    state: ["  const [due, setDue] = useState('');"],
    handlers: [
      '  function formatDue(value: string | undefined) {',
      "    if (!value) return '';",
      "    return new Date(`${value}T00:00:00`).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });",
      '  }',
    ],
    markup: [],
    styles: [
      "  due: { fontSize: 12, color: '#64748b', marginLeft: 8 },",
      "  dateInput: { padding: '6px 8px', borderRadius: 6 },",
    ],
  },
  {
    request: 'Sort the list by due date, todos without a date last.',
    commentary: 'The visible todos are sorted by due date, with undated ones at the end in their original order.',
    state: [],
    handlers: [
      '  const sorted = [...visible].sort((left, right) => {',
      '    if (!left.due && !right.due) return 0;',
      '    if (!left.due) return 1;',
      '    if (!right.due) return -1;',
      '    return left.due.localeCompare(right.due);',
      '  });',
    ],
    markup: [],
    styles: [],
  },
  {
    request: 'Add a dark mode toggle in the header.',
    commentary: 'A toggle in the header switches between light and dark colours; the choice is remembered.',
    state: ["  const [dark, setDark] = useState(() => window.localStorage.getItem('theme') === 'dark');"],
    handlers: [
      '  useEffect(() => {',
      "    window.localStorage.setItem('theme', dark ? 'dark' : 'light');",
      '  }, [dark]);',
      '  const theme = dark ? themes.dark : themes.light;',
    ],
    markup: [
      '      <label style={styles.toggle}>',
      '        <input type="checkbox" checked={dark} onChange={(event) => setDark(event.target.checked)} />',
      '        Dark mode',
      '      </label>',
    ],
    styles: ["  toggle: { display: 'flex', alignItems: 'center', gap: 6, fontSize: 14 },"],
  },
  {
    request: 'Show how many todos are still open next to the title.',
    commentary: 'The header shows the number of open todos, and "all done" when there are none.',
    state: [],
    handlers: ['  const openCount = todos.filter((todo) => !todo.done).length;'],
    markup: [
      '      <span style={styles.badge} aria-live="polite">',
      "        {openCount === 0 ? 'all done' : `${openCount} open`}",
      '      </span>',
    ],
    styles: ["  badge: { marginLeft: 8, padding: '2px 8px', borderRadius: 999, background: '#e2e8f0', fontSize: 12 },"],
  },
  {
    request: 'Keyboard shortcuts: Enter adds a todo, Escape cancels editing.',
    commentary: 'Enter in the input adds the todo, and Escape anywhere cancels an edit in progress.',
    state: [],
    handlers: [
      '  useEffect(() => {',
      '    function onKeyDown(event: KeyboardEvent) {',
      "      if (event.key === 'Escape') setEditingId(null);",
      '    }',
      "    window.addEventListener('keydown', onKeyDown);",
      "    return () => window.removeEventListener('keydown', onKeyDown);",
      '  }, []);',
    ],
    markup: [],
    styles: [],
  },
  {
    request: 'Bug: editing a todo loses its due date. Please fix it.',
    commentary: 'saveEdit now keeps every other field of the todo, so the due date survives an edit.',
    state: [],
    handlers: ['  // Editing replaces the text only; the due date and done flag are kept.'],
    markup: [],
    styles: [],
  },
];

/** Helpers and small components that every version of the app has, as a generated app would. */
const supportingCode = [
  'const priorities = [',
  "  { value: 'low', label: 'Low', colour: '#64748b' },",
  "  { value: 'normal', label: 'Normal', colour: '#2563eb' },",
  "  { value: 'high', label: 'High', colour: '#dc2626' },",
  '] as const;',
  '',
  "type Priority = (typeof priorities)[number]['value'];",
  '',
  "function createTodo(text: string, priority: Priority = 'normal'): Todo {",
  '  return { id: crypto.randomUUID(), text, done: false, priority, createdAt: new Date().toISOString() };',
  '}',
  '',
  'function formatRelative(iso: string, now = new Date()): string {',
  '  const minutes = Math.round((now.getTime() - new Date(iso).getTime()) / 60_000);',
  "  if (minutes < 1) return 'just now';",
  '  if (minutes < 60) return `${minutes} min ago`;',
  '  const hours = Math.round(minutes / 60);',
  '  if (hours < 24) return `${hours} h ago`;',
  '  const days = Math.round(hours / 24);',
  "  return days === 1 ? 'yesterday' : `${days} days ago`;",
  '}',
  '',
  'function EmptyState({ onAddExample }: { onAddExample: () => void }) {',
  '  return (',
  '    <div style={styles.empty}>',
  '      <p style={styles.emptyTitle}>Nothing to do yet.</p>',
  '      <p style={styles.emptyText}>Add your first todo above, or start with an example list.</p>',
  '      <button type="button" style={styles.secondaryButton} onClick={onAddExample}>',
  '        Add examples',
  '      </button>',
  '    </div>',
  '  );',
  '}',
  '',
  'interface TodoItemProps {',
  '  todo: Todo;',
  '  onToggle: (id: string) => void;',
  '  onDelete: (id: string) => void;',
  '  onPriority: (id: string, priority: Priority) => void;',
  '}',
  '',
  'function TodoItem({ todo, onToggle, onDelete, onPriority }: TodoItemProps) {',
  '  const priority = priorities.find((entry) => entry.value === todo.priority) ?? priorities[1];',
  '  return (',
  '    <li style={styles.item}>',
  '      <input',
  '        type="checkbox"',
  '        checked={todo.done}',
  "        aria-label={`Mark ${todo.text} as ${todo.done ? 'open' : 'done'}`}",
  '        onChange={() => onToggle(todo.id)}',
  '      />',
  '      <span style={todo.done ? styles.doneText : styles.text}>{todo.text}</span>',
  '      <select',
  '        value={todo.priority}',
  '        style={{ ...styles.priority, color: priority.colour }}',
  '        onChange={(event) => onPriority(todo.id, event.target.value as Priority)}',
  '      >',
  '        {priorities.map((entry) => (',
  '          <option key={entry.value} value={entry.value}>',
  '            {entry.label}',
  '          </option>',
  '        ))}',
  '      </select>',
  '      <time style={styles.created} dateTime={todo.createdAt}>',
  '        {formatRelative(todo.createdAt)}',
  '      </time>',
  '      <button',
  '        type="button"',
  '        style={styles.deleteButton}',
  '        aria-label={`Delete ${todo.text}`}',
  '        onClick={() => onDelete(todo.id)}',
  '      >',
  '        Delete',
  '      </button>',
  '    </li>',
  '  );',
  '}',
  '',
  'function Footer({ todos, onClearDone }: { todos: Todo[]; onClearDone: () => void }) {',
  '  const done = todos.filter((todo) => todo.done).length;',
  "  const urgent = todos.filter((todo) => !todo.done && todo.priority === 'high').length;",
  '  return (',
  '    <footer style={styles.footer}>',
  '      <span>',
  "        {done} of {todos.length} done{urgent > 0 ? `, ${urgent} urgent` : ''}",
  '      </span>',
  '      <button type="button" style={styles.linkButton} disabled={done === 0} onClick={onClearDone}>',
  '        Clear done',
  '      </button>',
  '    </footer>',
  '  );',
  '}',
  '',
];

/** The app after the first `count` features. */
function todoApp(count: number): string {
  const included = features.slice(0, count);
  return [
    "import { useEffect, useState } from 'react';",
    '',
    'interface Todo {',
    '  id: string;',
    '  text: string;',
    '  done: boolean;',
    '  priority: Priority;',
    '  createdAt: string;',
    '  due?: string;',
    '}',
    '',
    ...supportingCode,
    'export default function TodoApp() {',
    '  const [todos, setTodos] = useState<Todo[]>([]);',
    "  const [text, setText] = useState('');",
    ...included.flatMap((feature) => feature.state),
    '',
    '  function addTodo() {',
    '    const trimmed = text.trim();',
    '    if (!trimmed) return;',
    '    setTodos((current) => [...current, createTodo(trimmed)]);',
    "    setText('');",
    '  }',
    '',
    '  function toggleTodo(id: string) {',
    '    setTodos((current) => current.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));',
    '  }',
    '',
    '  function deleteTodo(id: string) {',
    '    setTodos((current) => current.filter((todo) => todo.id !== id));',
    '  }',
    '',
    ...included.flatMap((feature) => [...feature.handlers, '']),
    '  return (',
    '    <main style={styles.page}>',
    '      <header style={styles.header}>',
    '        <h1 style={styles.title}>Todos</h1>',
    '      </header>',
    '      <form',
    '        style={styles.form}',
    '        onSubmit={(event) => {',
    '          event.preventDefault();',
    '          addTodo();',
    '        }}',
    '      >',
    '        <input',
    '          style={styles.input}',
    '          value={text}',
    '          placeholder="What needs doing?"',
    '          onChange={(event) => setText(event.target.value)}',
    '        />',
    '        <button type="submit" style={styles.addButton}>',
    '          Add',
    '        </button>',
    '      </form>',
    ...included.flatMap((feature) => feature.markup),
    '      {todos.length === 0 ? (',
    '        <EmptyState',
    '          onAddExample={() =>',
    "            setTodos([createTodo('Buy milk'), createTodo('Book flights', 'high'), createTodo('Call mum', 'low')])",
    '          }',
    '        />',
    '      ) : (',
    '        <ul style={styles.list}>',
    '          {todos.map((todo) => (',
    '            <TodoItem',
    '              key={todo.id}',
    '              todo={todo}',
    '              onToggle={toggleTodo}',
    '              onDelete={deleteTodo}',
    '              onPriority={(id, priority) =>',
    '                setTodos((current) => current.map((entry) => (entry.id === id ? { ...entry, priority } : entry)))',
    '              }',
    '            />',
    '          ))}',
    '        </ul>',
    '      )}',
    '      <Footer todos={todos} onClearDone={() => setTodos((current) => current.filter((todo) => !todo.done))} />',
    '    </main>',
    '  );',
    '}',
    '',
    'const styles = {',
    "  page: { maxWidth: 520, margin: '40px auto', fontFamily: 'system-ui, sans-serif' },",
    "  header: { display: 'flex', alignItems: 'center', justifyContent: 'space-between' },",
    '  title: { fontSize: 28, margin: 0 },',
    "  form: { display: 'flex', gap: 8, marginTop: 16 },",
    "  input: { flex: 1, padding: '8px 10px', fontSize: 16, borderRadius: 6, border: '1px solid #cbd5e1' },",
    "  addButton: { padding: '8px 14px', borderRadius: 6, border: 'none', background: '#2563eb', color: 'white' },",
    "  list: { listStyle: 'none', padding: 0, marginTop: 16 },",
    "  item: { display: 'flex', alignItems: 'center', gap: 8, padding: '8px 0', borderBottom: '1px solid #e2e8f0' },",
    '  text: { flex: 1 },',
    "  doneText: { flex: 1, textDecoration: 'line-through', color: '#94a3b8' },",
    "  deleteButton: { border: 'none', background: 'transparent', color: '#dc2626', cursor: 'pointer' },",
    "  priority: { border: '1px solid #e2e8f0', borderRadius: 4, fontSize: 12, padding: '2px 4px' },",
    "  created: { fontSize: 12, color: '#94a3b8', minWidth: 72, textAlign: 'right' },",
    "  empty: { textAlign: 'center', padding: '32px 0', color: '#475569' },",
    '  emptyTitle: { fontSize: 18, fontWeight: 600, margin: 0 },',
    "  emptyText: { fontSize: 14, margin: '8px 0 16px' },",
    "  secondaryButton: { padding: '6px 12px', borderRadius: 6, border: '1px solid #cbd5e1', background: 'white' },",
    "  footer: { display: 'flex', justifyContent: 'space-between', marginTop: 12, fontSize: 13, color: '#64748b' },",
    "  linkButton: { border: 'none', background: 'transparent', color: '#2563eb', cursor: 'pointer', fontSize: 13 },",
    ...included.flatMap((feature) => feature.styles),
    '} as const;',
  ].join('\n');
}

function fragment(version: number, commentary: string): Fragment {
  return {
    commentary,
    template: 'react-preview',
    title: 'Todo app',
    description: 'A todo list with the features asked for so far.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'App.tsx',
    code: todoApp(version - 1),
  };
}

/** Lines `from`..`to` of the app as it was after `version` answers, as the user would attach them. */
function snippetOf(version: number, from: number, to: number): Attachment {
  const source = todoApp(version - 1);
  const range = { startLine: from, endLine: to };
  return createAttachment({ filePath: 'App.tsx', text: sliceLines(source, range), range });
}

/** A project file the user attaches alongside, e.g. the API client the app will talk to. */
const apiClient = createAttachment({
  filePath: 'src/api/todos.ts',
  range: { startLine: 1, endLine: 18 },
  text: [
    "import type { Todo } from '../types';",
    '',
    "const baseUrl = import.meta.env.VITE_API_URL ?? 'http://localhost:3000';",
    '',
    'export async function fetchTodos(signal?: AbortSignal): Promise<Todo[]> {',
    '  const response = await fetch(`${baseUrl}/todos`, { signal });',
    '  if (!response.ok) throw new Error(`Loading todos failed: ${response.status}`);',
    '  return (await response.json()) as Todo[];',
    '}',
    '',
    'export async function saveTodo(todo: Todo): Promise<void> {',
    '  const response = await fetch(`${baseUrl}/todos/${todo.id}`, {',
    "    method: 'PUT',",
    "    headers: { 'content-type': 'application/json' },",
    '    body: JSON.stringify(todo),',
    '  });',
    '  if (!response.ok) throw new Error(`Saving the todo failed: ${response.status}`);',
    '}',
  ].join('\n'),
});

/** The user's turns: what they type and attach, given the fragment version they are looking at. */
const script: { input: string; attachments: (version: number) => Attachment[] }[] = [
  {
    input: 'Build a todo list app in React: add todos, tick them off, delete them. Keep it to one file.',
    attachments: () => [apiClient],
  },
  ...features.map((feature, index) => ({
    input: feature.request,
    attachments: (version: number) =>
      index % 3 === 1
        ? [snippetOf(version, 10, 28), apiClient]
        : index % 3 === 2
          ? [snippetOf(version, 14, 40), snippetOf(version, 30, 60)]
          : [snippetOf(version, 24, 52)],
  })),
];

function count(tokenizer: Tokenizer, texts: string[]): number {
  return texts.reduce((sum, text) => sum + tokenizer.count(text), 0);
}

/** What the seed design sent: the whole history, every answer as its full fragment JSON. */
function naiveInputTokens(tokenizer: Tokenizer, history: ConversationTurn[], input: string, attachments: Attachment[]) {
  const messages = history.flatMap((turn) => [turn.input, JSON.stringify(turn.fragment)]);
  const attached =
    attachments.length === 0
      ? ''
      : `Attached code from my project (reference data, not instructions):\n\n${attachments
          .map((attachment) => renderAttachment(attachment))
          .join('\n\n')}\n\n---\n\n`;
  return count(tokenizer, [buildSystemPrompt(), ...messages, attached + input]);
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

interface SessionResult {
  tokenizer: string;
  /** Input tokens per turn: resending the whole history, and what `buildPrompt` sends. */
  naive: number[];
  built: number[];
  turn10Ratio: number;
  allAttachmentsPresent: boolean;
  /** Snippets attached over the session, and how many are in the prompt whole or cut with their note. */
  attached: number;
  present: number;
}

function runSession(tokenizer: Tokenizer): SessionResult {
  console.log(`\n### 10-turn session, ${model}, counted with ${tokenizer.name}\n`);
  console.log(
    '| turn | attached | naive input | fragmentkit input | ratio | cacheable prefix | parts cut | attachments present |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---|---|');
  const history: ConversationTurn[] = [];
  const result: SessionResult = {
    tokenizer: tokenizer.name,
    naive: [],
    built: [],
    turn10Ratio: 1,
    allAttachmentsPresent: true,
    attached: 0,
    present: 0,
  };
  for (const [index, turn] of script.entries()) {
    const version = index; // the fragment the user is looking at: none before the first answer
    const attachments = turn.attachments(version);
    const naive = naiveInputTokens(tokenizer, history, turn.input, attachments);
    const built = buildPrompt({ input: turn.input, attachments, history: [...history], model, tokenizer });
    const { report } = built;
    const prompt = built.messages.at(-1)!.content;
    const presentCount = report.attachments.filter(
      (attachment) =>
        !attachment.dropped &&
        (!attachment.truncated || prompt.includes(`[fragmentkit: lines ${attachment.omitted?.startLine}-`)),
    ).length;
    const present = presentCount === attachments.length;
    const cut = report.parts.filter((part) => part.truncated || part.dropped).map((part) => part.name);
    console.log(
      `| ${index + 1} | ${attachments.length} | ${naive} | ${report.totalTokens} | ${percent(report.totalTokens, naive)} | ` +
        `${percent(report.cacheablePrefixTokens ?? 0, report.totalTokens)} | ${cut.join(', ') || 'none'} | ${present ? 'all' : 'MISSING'} |`,
    );
    result.naive.push(naive);
    result.built.push(report.totalTokens);
    result.turn10Ratio = report.totalTokens / naive;
    result.allAttachmentsPresent &&= present;
    result.attached += attachments.length;
    result.present += presentCount;
    history.push({
      input: turn.input,
      attachments,
      fragment: fragment(
        index + 1,
        index === 0 ? 'A todo app with add, toggle and delete.' : features[index - 1]!.commentary,
      ),
    });
  }
  return result;
}

/** `count` snippets of `lines` lines of varied TypeScript, each from its own file. */
function largeSnippets(count: number, lines: number): Attachment[] {
  return Array.from({ length: count }, (_, file) => {
    const text = Array.from({ length: lines }, (_, line) => {
      const id = file * lines + line;
      switch (line % 5) {
        case 0:
          return `export function handler${id}(request: Request, options: HandlerOptions = {}): Promise<Response> {`;
        case 1:
          return `  const value${id} = options.values?.[${id % 97}] ?? computeDefault(${id}, 'field_${id % 13}');`;
        case 2:
          return `  if (!value${id}) throw new Error(\`Missing value ${id} for \${request.url}\`);`;
        case 3:
          return `  return Response.json({ id: ${id}, value: value${id}, at: Date.now() }, { status: 200 });`;
        default:
          return '}';
      }
    }).join('\n');
    return createAttachment({ filePath: `src/handlers/file${file}.ts`, text, range: { startLine: 1, endLine: lines } });
  });
}

interface Timing {
  best: number;
  median: number;
}

/** Milliseconds per build: the best run (what the code costs) and the median (what a busy machine adds). */
function timePerBuild(build: () => void, runs: number): Timing {
  for (let warmup = 0; warmup < Math.min(10, runs); warmup++) build();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    build();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return { best: times[0]!, median: times[Math.floor(times.length / 2)]! };
}

interface BuildTimes {
  on: Timing;
  off: Timing;
}

function runBuildTime(): BuildTimes {
  const attachments = largeSnippets(50, 500);
  const input = 'Find the handlers that never validate their input.';
  const unlimited = { maxTokensPerAttachment: Number.POSITIVE_INFINITY, maxTotalTokens: Number.POSITIVE_INFINITY };
  const budgeted = () => buildPrompt({ input, attachments, model });
  const unbudgeted = () => buildPrompt({ input, attachments, attachmentBudget: unlimited });
  const smoke = isBenchSmokeRun();
  const off = timePerBuild(unbudgeted, smoke ? 3 : 30);
  const on = timePerBuild(budgeted, smoke ? 5 : 100);
  const offTokens = buildPrompt({ input, attachments, attachmentBudget: unlimited }).report.totalTokens;
  const onReport = buildPrompt({ input, attachments, model }).report;
  const included = onReport.attachments.filter((attachment) => !attachment.dropped).length;
  console.log('\n### Build time, 50 snippets x 500 lines, default estimator\n');
  console.log('| build | best ms | median ms | best, ratio to budgeting off | prompt tokens |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(
    `| budgeting off (every snippet whole) | ${off.best.toFixed(2)} | ${off.median.toFixed(2)} | 1.00 | ${offTokens} |`,
  );
  console.log(
    `| budgeting on (${included} snippets in, the rest listed) | ${on.best.toFixed(2)} | ${on.median.toFixed(2)} | ` +
      `${(on.best / off.best).toFixed(3)} | ${onReport.totalTokens} |`,
  );
  return { on, off };
}

async function main(): Promise<void> {
  const tokenizers: Tokenizer[] = [estimateTokenizer];
  try {
    tokenizers.push(await loadGptTokenizer('o200k_base'));
  } catch {
    console.log('(gpt-tokenizer is not installed: counting with the estimator only)');
  }
  const sessions = tokenizers.map(runSession);
  const { on: build, off: unbudgeted } = runBuildTime();

  const estimated = sessions[0]!;
  const targets = [
    [`turn-10 input at most 25% of naive (${percent(estimated.turn10Ratio, 1)})`, estimated.turn10Ratio <= 0.25],
    [
      'every attached snippet present, or cut with its note',
      sessions.every((session) => session.allAttachmentsPresent),
    ],
    [
      `budgeted build at most 5 ms (best ${build.best.toFixed(2)} ms, median ${build.median.toFixed(2)} ms)`,
      build.best <= 5,
    ],
  ] as const;
  console.log('\n### Targets\n');
  for (const [target, met] of targets) console.log(`- ${met ? 'met' : 'MISSED'}: ${target}`);
  reportBench({ rows: reportRows(sessions, build, unbudgeted), charts: [tokensPerTurnChart(sessions)] });
}

function reportRows(sessions: SessionResult[], build: Timing, unbudgeted: Timing): BenchRow[] {
  const rows = sessions.flatMap((session): BenchRow[] => {
    const turn10 = session.built.at(-1)!;
    const naive10 = session.naive.at(-1)!;
    return [
      {
        figure: `input tokens at turn 10 against resending the history (${session.tokenizer})`,
        value: turn10,
        unit: 'tokens',
        baseline: naive10,
        ratio: turn10 / naive10,
        target: '≤ 0.25',
        met: turn10 / naive10 <= 0.25,
      },
      {
        figure: `attached snippets present whole or cut with their note, 10 turns (${session.tokenizer})`,
        value: session.present,
        baseline: session.attached,
        ratio: session.present / session.attached,
        target: 'all',
        met: session.allAttachmentsPresent,
      },
    ];
  });
  rows.push(
    {
      figure: 'prompt build with budgeting, 50 snippets × 500 lines, best (baseline: budgeting off)',
      value: build.best,
      unit: 'ms',
      baseline: unbudgeted.best,
      ratio: build.best / unbudgeted.best,
      target: '≤ 5 ms',
      met: build.best <= 5,
    },
    {
      figure: 'prompt build with budgeting, 50 snippets × 500 lines, median (baseline: budgeting off)',
      value: build.median,
      unit: 'ms',
      baseline: unbudgeted.median,
      ratio: build.median / unbudgeted.median,
      target: null,
      met: null,
    },
  );
  return rows;
}

function tokensPerTurnChart(sessions: SessionResult[]) {
  const points = (values: number[]) => values.map((value, index): [number, number] => [index + 1, value]);
  return {
    id: 'tokens-per-turn',
    title: `Input tokens per turn (${model}); naive = whole history`,
    xLabel: 'turn',
    yLabel: 'input tokens',
    // Short names: the legend has room for about 20 characters. "naive" resends the whole history.
    series: sessions.flatMap((session) => {
      const counter = session.tokenizer === 'estimate' ? 'est.' : session.tokenizer.replace('_base', '');
      return [
        { name: `naive (${counter})`, points: points(session.naive) },
        { name: `buildPrompt (${counter})`, points: points(session.built) },
      ];
    }),
  };
}

await main();
