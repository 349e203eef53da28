import { type AcceptedFile, type AgentTaskMode, DiffView, useAgentTask } from '@fragmentkit/react';
import { type FormEvent, useState } from 'react';
import type { ProjectModels } from './projectModels.js';
import { useModelConfigured } from './useModelConfigured.js';

interface AgentPanelProps {
  endpoint: string;
  projectId: string;
  project: ProjectModels;
  /** Where the cursor is in the editor, sent with the task. */
  readCursor: () => { file: string; line: number; col: number } | undefined;
}

const modes: Array<{ value: AgentTaskMode; label: string }> = [
  { value: 'patch', label: 'Patch' },
  { value: 'explain', label: 'Explain' },
  { value: 'generate_test', label: 'Generate test' },
  { value: 'lint_fix', label: 'Lint fix' },
];

const busyStatuses = new Set(['submitting', 'queued', 'processing']);

/**
 * The AI panel: sends the project's files, the cursor and a request as an agent task, shows the
 * answer's diffs, and writes the files the user accepts into the Monaco models.
 */
export function AgentPanel({ endpoint, projectId, project, readCursor }: AgentPanelProps) {
  const modelConfigured = useModelConfigured();
  const [mode, setMode] = useState<AgentTaskMode>('patch');
  const [prompt, setPrompt] = useState('');
  const [conflicts, setConflicts] = useState<string[]>([]);
  const task = useAgentTask({
    endpoint,
    readFile: (path) => project.read(path),
    onAccepted: (files: AcceptedFile[]) => {
      setConflicts(files.flatMap((file) => (file.conflict ? [file.conflict] : [])));
      for (const file of files) {
        if (!file.conflict && file.content !== null) project.write(file.path, file.content);
      }
    },
  });
  const busy = busyStatuses.has(task.status);
  const files = task.task?.result?.files ?? [];
  const problem = task.error?.message ?? task.task?.error?.message;

  function submit(event: FormEvent) {
    event.preventDefault();
    setConflicts([]);
    const cursor = readCursor();
    void task.create({
      projectId,
      files: project.getSnapshot().map((file) => ({ path: file.path, content: file.content })),
      ...(cursor ? { cursor } : {}),
      prompt: prompt.trim(),
      mode,
    });
  }

  return (
    <section className="agent-panel" aria-labelledby="agent-heading">
      <h2 id="agent-heading">AI</h2>
      {modelConfigured === false ? (
        <p className="setup-notice">
          No model is configured, so tasks will fail. Start the server with <code>OPENAI_API_KEY</code>,{' '}
          <code>ANTHROPIC_API_KEY</code> or <code>OPENAI_BASE_URL</code> (e.g. a local Ollama).
        </p>
      ) : null}
      <form onSubmit={submit}>
        <fieldset className="agent-modes">
          <legend>Mode</legend>
          {modes.map((option) => (
            <label key={option.value}>
              <input
                type="radio"
                name="mode"
                value={option.value}
                checked={mode === option.value}
                onChange={() => setMode(option.value)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        <label className="agent-prompt">
          Request
          <textarea value={prompt} rows={3} onChange={(event) => setPrompt(event.target.value)} />
        </label>
        <button type="submit" disabled={busy || prompt.trim() === ''}>
          Run task
        </button>
        <span className="agent-status" data-testid="task-status" data-status={task.status}>
          {task.status}
        </span>
      </form>
      {problem ? (
        <p role="alert" className="agent-error">
          {problem}
        </p>
      ) : null}
      {conflicts.map((conflict) => (
        <p key={conflict} role="alert" className="agent-error">
          {conflict}
        </p>
      ))}
      {task.task?.result?.explanation ? (
        <p className="agent-explanation" data-testid="task-explanation">
          {task.task.result.explanation}
        </p>
      ) : null}
      {files.length > 0 ? (
        <DiffView files={files} onAccept={task.accept} onReject={task.reject} disabled={task.pending !== undefined} />
      ) : null}
    </section>
  );
}
