import type { Fragment, ModelStreamEvent, Usage } from '@fragmentkit/core';

export const sampleFragment: Fragment = {
  commentary: 'A counter with a reset button.',
  template: 'nextjs-developer',
  title: 'Counter',
  description: 'A counter that can be reset.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: 'export default function Home() {\n  return <button>0</button>;\n}\n',
};

/** The sample fragment as a model would stream it: JSON text in small deltas. */
export function fragmentDeltas(fragment: Fragment = sampleFragment, size = 24): ModelStreamEvent[] {
  const text = JSON.stringify(fragment);
  const deltas: ModelStreamEvent[] = [];
  for (let start = 0; start < text.length; start += size) {
    deltas.push({ type: 'text-delta', text: text.slice(start, start + size) });
  }
  return deltas;
}

export const sampleUsage: Usage = { inputTokens: 120, outputTokens: 80 };

export const finishEvent: ModelStreamEvent = { type: 'finish', finishReason: 'stop', usage: sampleUsage };

export const sampleAttachment = {
  id: 'src/App.tsx:3-5',
  filePath: 'src/App.tsx',
  language: 'tsx',
  text: 'const [count, setCount] = useState(0);\nconst reset = () => setCount(0);\nreturn <button>{count}</button>;',
  range: { startLine: 3, endLine: 5 },
  contentHash: 'sha256-test',
};
