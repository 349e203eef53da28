/** Shown when the server has no model configured: how to configure one. */
export function SetupNotice() {
  return (
    <div className="setup" role="alert">
      <h2>Connect a model to start generating</h2>
      <p>The server found no model configuration. Stop it, set one of these, and start it again:</p>
      <pre>
        {`# Anthropic
ANTHROPIC_API_KEY=sk-ant-... pnpm demo

# OpenAI
OPENAI_API_KEY=sk-... pnpm demo

# Any OpenAI-compatible server, e.g. a local Ollama
OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=qwen2.5-coder pnpm demo`}
      </pre>
      <p>
        Optional: <code>ANTHROPIC_MODEL</code>, <code>ANTHROPIC_BASE_URL</code>, <code>OPENAI_MODEL</code>. Until then
        the chat API answers <code>503 PROVIDER_NOT_CONFIGURED</code>; you can still edit, preview and attach code.
      </p>
    </div>
  );
}
