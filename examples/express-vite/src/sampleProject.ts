/** The files of the pretend project shown in the code view; attach lines from them as context. */
export interface ProjectFile {
  path: string;
  code: string;
}

export const sampleProject: ProjectFile[] = [
  {
    path: 'src/TodoList.tsx',
    code: `import { useState } from 'react';

type Todo = { id: number; title: string; done: boolean };

export function TodoList() {
  const [todos, setTodos] = useState<Todo[]>([]);
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
    <section>
      <h1>Todos</h1>
      <input value={draft} onChange={(event) => setDraft(event.target.value)} />
      <button onClick={addTodo}>Add</button>
      <ul>
        {todos.map((todo) => (
          <li key={todo.id} onClick={() => toggle(todo.id)}>
            {todo.done ? '✓ ' : ''}
            {todo.title}
          </li>
        ))}
      </ul>
    </section>
  );
}
`,
  },
  {
    path: 'src/theme.css',
    code: `:root {
  --accent: #4f46e5;
  --radius: 8px;
}

section {
  max-width: 32rem;
  margin: 2rem auto;
  font-family: system-ui, sans-serif;
}

li {
  cursor: pointer;
  padding: 0.25rem 0;
}
`,
  },
];
