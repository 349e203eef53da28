import { parseArgs } from 'node:util';
import { startFakeProvider } from './fakeProvider.js';

const usage = `Usage: tsx internal/fake-provider/src/cli.ts [--port 4010] [--host 127.0.0.1] [--chunk-size 12] [--chunk-delay-ms 5]

Starts a fake LLM provider that speaks the Anthropic Messages and OpenAI Chat Completions
wire formats and answers every request with a small React counter fragment.`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'chunk-size': { type: 'string' },
    'chunk-delay-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const port = readInteger('port', values.port);
const chunkSize = values['chunk-size'] === undefined ? undefined : readInteger('chunk-size', values['chunk-size']);
const chunkDelayMs =
  values['chunk-delay-ms'] === undefined ? undefined : readInteger('chunk-delay-ms', values['chunk-delay-ms']);

const fake = await startFakeProvider({ port, host: values.host, chunkSize, chunkDelayMs });
console.log(`Fake provider listening on ${fake.url}`);
console.log(`  Anthropic base URL: ${fake.anthropicBaseURL}`);
console.log(`  OpenAI base URL:    ${fake.openaiBaseURL}`);

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

function readInteger(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    console.error(`--${name} must be a non-negative integer, got "${value}".\n\n${usage}`);
    process.exit(2);
  }
  return number;
}
