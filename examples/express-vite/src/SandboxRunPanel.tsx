import type { Fragment } from '@fragmentkit/core';
import { FragmentPreview } from '@fragmentkit/react';
import { useSandboxRun } from './useSandboxRun.js';

interface SandboxRunPanelProps {
  endpoint: string;
  fragment: Fragment;
  conversationId: string | undefined;
  /** Where the server runs fragments: `local` or `e2b`. */
  runtime: string;
}

/**
 * Runs the fragment on the server's sandbox and shows the run as it goes: each step, the
 * output, then the app at its URL (in `<FragmentPreview>`'s URL mode) or the printed result.
 * Later runs of the same conversation reuse its sandbox.
 */
export function SandboxRunPanel({ endpoint, fragment, conversationId, runtime }: SandboxRunPanelProps) {
  const run = useSandboxRun(endpoint);
  const { result } = run;
  const stdout = result?.stdout ?? run.stdout;
  const stderr = result?.stderr ?? run.stderr;

  return (
    <section className="sandbox-run" aria-label="Sandbox run" data-status={run.status}>
      <div className="sandbox-run-actions">
        <button
          type="button"
          disabled={run.status === 'running'}
          onClick={() => void run.run(fragment, conversationId)}
        >
          {run.status === 'idle' ? `Run in the ${runtime} sandbox` : 'Run again'}
        </button>
        {run.step ? (
          <span className="sandbox-step" data-testid="sandbox-step" aria-live="polite">
            {run.step}
          </span>
        ) : null}
      </div>
      {run.error ? (
        <p className="error" role="alert">
          {run.error.code}: {run.error.message}
        </p>
      ) : null}
      {result?.previewUnavailable ? (
        <p className="notice" role="alert" data-testid="sandbox-unavailable">
          Preview unavailable: {result.previewUnavailable.reason}
        </p>
      ) : null}
      {result?.warnings.length ? (
        <ul className="sandbox-warnings" aria-label="Static check warnings">
          {result.warnings.map((warning) => (
            <li key={`${warning.rule}:${warning.file}:${warning.line}:${warning.column}`}>
              {warning.rule}: {warning.message}
            </li>
          ))}
        </ul>
      ) : null}
      {result?.url ? <FragmentPreview fragment={fragment} url={result.url} /> : null}
      {stdout ? (
        <pre className="sandbox-output" data-testid="sandbox-stdout">
          {stdout}
        </pre>
      ) : null}
      {stderr ? (
        <pre className="sandbox-output sandbox-stderr" data-testid="sandbox-stderr">
          {stderr}
        </pre>
      ) : null}
      {result?.runtimeError ? (
        <p className="error" data-testid="sandbox-runtime-error">
          {result.runtimeError.name}: {result.runtimeError.message}
        </p>
      ) : null}
      {result && !result.url && !result.previewUnavailable ? (
        <p className="meta" data-testid="sandbox-exit">
          {result.status} · exit code {result.exitCode ?? 'none'}
        </p>
      ) : null}
    </section>
  );
}
