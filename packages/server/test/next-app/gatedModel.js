const fragment = {
  commentary: 'A counter.',
  template: 'nextjs-developer',
  title: 'Counter',
  description: 'A counter.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: 'export default function Home() {\n  return <button>0</button>;\n}\n',
};

/**
 * A test model that streams the first part of a fragment, then waits until the test process
 * answers `gateUrl`. The test opens the gate only after it received the first delta over
 * HTTP, so a response that Next.js buffered would never complete.
 */
export function createGatedModel(gateUrl) {
  return {
    provider: 'test',
    modelId: 'gated',
    async stream({ signal }) {
      const text = JSON.stringify(fragment);
      const middle = Math.floor(text.length / 2);
      let step = 0;
      return new ReadableStream({
        async pull(controller) {
          step += 1;
          if (step === 1) return controller.enqueue({ type: 'text-delta', text: text.slice(0, middle) });
          if (step === 2) {
            await fetch(gateUrl, { signal });
            return controller.enqueue({ type: 'text-delta', text: text.slice(middle) });
          }
          controller.enqueue({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 20 } });
          controller.close();
        },
      });
    },
  };
}
