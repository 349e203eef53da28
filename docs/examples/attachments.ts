// #region create
import { buildPrompt, createAttachment, sliceLines } from '@fragmentkit/core';

const source = [
  "import { useState } from 'react';",
  '',
  'export function TodoList() {',
  '  const [todos, setTodos] = useState<string[]>([]);',
  '  function addTodo(text: string) {',
  '    setTodos([...todos, text]);',
  '  }',
  '  return <ul>{todos.map((todo) => <li key={todo}>{todo}</li>)}</ul>;',
  '}',
].join('\n');

const range = { startLine: 5, endLine: 7 };
export const attachment = createAttachment({ filePath: 'src/TodoList.tsx', text: sliceLines(source, range), range });
// attachment.id === 'src/TodoList.tsx#L5-L7', attachment.language === 'tsx'
// #endregion

// #region prompt
export const prompt = buildPrompt({
  input: 'Do not add empty todos',
  attachments: [attachment],
  model: 'claude-sonnet-4-5', // its context window and output limit bound the prompt
  attachmentBudget: { maxTokensPerAttachment: 2_000, maxTotalTokens: 8_000 },
});

// prompt.system and prompt.messages go to the model; the report says what made it in.
for (const entry of prompt.report.attachments) {
  if (entry.dropped) console.warn(`${entry.filePath} did not fit`);
  else if (entry.omitted)
    console.warn(`${entry.filePath}: lines ${entry.omitted.startLine}-${entry.omitted.endLine} left out`);
}
// #endregion
