import type { ProjectFile } from './projectModels.js';

/** The project shown in the editor. `src/App.tsx` is what the preview renders. */
export const previewPath = 'src/App.tsx';

export const sampleProject: ProjectFile[] = [
  {
    path: previewPath,
    content: `import { useState } from 'react';

export default function App() {
  const [count, setCount] = useState(0);
  return (
    <main style={{ fontFamily: 'system-ui', padding: 16 }}>
      <h1>Counter</h1>
      <p>Clicked {count} times</p>
      <button type="button" onClick={() => setCount(count + 1)}>
        Add one
      </button>
    </main>
  );
}
`,
  },
  {
    path: 'src/counter.ts',
    content: `export function increment(count: number, step = 1): number {
  return count + step;
}

export function reset(): number {
  return 0;
}
`,
  },
  {
    path: 'README.md',
    content: `# Counter

A tiny React counter. Ask the AI panel to change it, review the diff, accept or reject it.
`,
  },
];
