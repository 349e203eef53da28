import type { Fragment } from '@fragmentkit/core';

/** What the workspace shows before the first answer: a small app to attach lines from and preview. */
export const starterFragment: Fragment = {
  commentary: 'A starter component to try attaching lines from.',
  template: 'react-preview',
  title: 'Starter: todo list',
  description: 'A small todo list.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: null,
  file_path: 'App.tsx',
  code: `import { useState } from 'react';

type Todo = { id: number; title: string; done: boolean };

export default function App() {
  const [todos, setTodos] = useState<Todo[]>([{ id: 1, title: 'Attach a line', done: false }]);
  const [draft, setDraft] = useState('');

  function addTodo() {
    if (!draft.trim()) return;
    setTodos((list) => [...list, { id: Date.now(), title: draft.trim(), done: false }]);
    setDraft('');
  }

  function toggle(id: number) {
    setTodos((list) => list.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo)));
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Todos</h1>
      <input value={draft} onChange={(event) => setDraft(event.target.value)} />
      <button type="button" onClick={addTodo}>Add</button>
      <ul>
        {todos.map((todo) => (
          <li key={todo.id} onClick={() => toggle(todo.id)}>
            {todo.done ? '✓ ' : ''}
            {todo.title}
          </li>
        ))}
      </ul>
    </main>
  );
}
`,
};
