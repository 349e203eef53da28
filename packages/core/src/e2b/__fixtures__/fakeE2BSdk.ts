import type {
  E2BBackgroundCommand,
  E2BCommandOptions,
  E2BCommandOutcome,
  E2BCreateOptions,
  E2BExecution,
  E2BSandboxHandle,
  E2BSdk,
} from '../e2bSdk.js';

/** An error shaped like the E2B SDK's, which the provider recognises by name and status. */
export function sdkError(name: string, message: string, statusCode?: number): Error {
  const error = new Error(message) as Error & { statusCode?: number };
  error.name = name;
  if (statusCode !== undefined) error.statusCode = statusCode;
  return error;
}

/** An in-memory E2B sandbox that records what it is asked to do. */
export class FakeE2BSandbox implements E2BSandboxHandle {
  running = true;
  killed = false;
  readonly files = new Map<string, string>();
  readonly commands: { command: string; options: E2BCommandOptions }[] = [];
  readonly started: string[] = [];
  readonly timeouts: number[] = [];
  readonly cells: { code: string; language: string }[] = [];
  /** Scripted answers to `runCommand`; the default exits 0 silently. */
  answer: (command: string) => E2BCommandOutcome | Error = () => ({ exitCode: 0, stdout: '', stderr: '' });
  execution: E2BExecution = { stdout: [], stderr: [], results: [] };
  runCode?: E2BSandboxHandle['runCode'];

  constructor(
    readonly sandboxId: string,
    readonly template: string,
    readonly options: E2BCreateOptions,
  ) {
    if (options.codeInterpreter) {
      this.runCode = async (code, runOptions) => {
        this.cells.push({ code, language: runOptions.language });
        for (const line of this.execution.stdout) runOptions.onStdout?.(line);
        return this.execution;
      };
    }
  }

  async writeFiles(files: readonly { path: string; data: string }[]): Promise<void> {
    for (const file of files) this.files.set(file.path, file.data);
  }

  async runCommand(command: string, options: E2BCommandOptions): Promise<E2BCommandOutcome> {
    this.commands.push({ command, options });
    const answer = this.answer(command);
    if (answer instanceof Error) throw answer;
    if (answer.stdout) options.onStdout?.(answer.stdout);
    if (answer.stderr) options.onStderr?.(answer.stderr);
    return answer;
  }

  async startCommand(command: string): Promise<E2BBackgroundCommand> {
    this.started.push(command);
    return { pid: this.started.length, wait: () => new Promise(() => undefined), kill: async () => undefined };
  }

  getHost(port: number): string {
    return `${port}-${this.sandboxId}.e2b.test`;
  }

  async setTimeout(timeoutMs: number): Promise<void> {
    if (!this.running) throw sdkError('SandboxNotFoundError', `Sandbox ${this.sandboxId} not found`, 404);
    this.timeouts.push(timeoutMs);
  }

  async isRunning(): Promise<boolean> {
    return this.running;
  }

  async kill(): Promise<void> {
    this.running = false;
    this.killed = true;
  }
}

/** A fake `E2BSdk`: scripted create failures and an optional create delay. */
export class FakeE2BSdk implements E2BSdk {
  readonly creates: { template: string; options: E2BCreateOptions }[] = [];
  readonly sandboxes: FakeE2BSandbox[] = [];
  /** Errors for the next create calls, in order; `undefined` lets that call succeed. */
  failures: (Error | undefined)[] = [];
  /** Awaited before each create returns, e.g. to simulate E2B's cold start. */
  latency: () => Promise<void> = async () => undefined;

  async create(template: string, options: E2BCreateOptions): Promise<FakeE2BSandbox> {
    this.creates.push({ template, options });
    const failure = this.failures.shift();
    if (failure) throw failure;
    await this.latency();
    const sandbox = new FakeE2BSandbox(`sbx-${this.sandboxes.length + 1}`, template, options);
    this.sandboxes.push(sandbox);
    return sandbox;
  }
}
