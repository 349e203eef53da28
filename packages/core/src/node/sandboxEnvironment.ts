import { FragmentkitError } from '../errors.js';

// Names that usually hold credentials. A host variable with such a name is never passed on.
const secretName =
  /(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|AUTH|COOKIE|SESSION|PRIVATE)(?:_|$)|^(?:DATABASE_URL|REDIS_URL|MONGO(?:DB)?_URL|AMQP_URL|SENTRY_DSN)$|^(?:AWS|AZURE|GCP|GOOGLE|GH|GITHUB|NPM|E2B|OPENAI|ANTHROPIC)_/i;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * True for environment variable names that usually hold credentials (`*_KEY`, `*_TOKEN`,
 * `*_SECRET`, `DATABASE_URL`, `AWS_*`, ...).
 *
 * @example
 * ```ts
 * import { isSecretLikeName } from '@fragmentkit/core/node';
 * isSecretLikeName('OPENAI_API_KEY'); // true
 * isSecretLikeName('LANG'); // false
 * ```
 */
export function isSecretLikeName(name: string): boolean {
  return secretName.test(name);
}

/** What {@link buildSandboxEnvironment} starts from. */
export interface SandboxEnvironmentInput {
  /** The work directory as the sandboxed process sees it; becomes HOME. */
  home: string;
  /** Directories for PATH, in order. */
  path: readonly string[];
  /** Host variables to pass through by name; secret-looking names are refused. */
  inherit?: readonly string[];
  /** Variables set by the host explicitly. */
  extra?: Readonly<Record<string, string>>;
  hostEnvironment?: Readonly<Record<string, string | undefined>>;
}

/**
 * The environment of a sandboxed process, built from an allowlist rather than by removing
 * things from the host's: PATH, HOME (the work directory), a UTF-8 locale, TMPDIR and a few
 * switches that make Python and Node behave in a pipe. Nothing else of the host's environment
 * is inherited unless named in `inherit`.
 *
 * @throws FragmentkitError `INVALID_REQUEST` for an invalid variable name or a secret-looking name in `inherit`.
 */
export function buildSandboxEnvironment(input: SandboxEnvironmentInput): Record<string, string> {
  const host = input.hostEnvironment ?? process.env;
  const locale = host.LANG && /^[\w.@-]+$/.test(host.LANG) ? host.LANG : 'C.UTF-8';
  const environment: Record<string, string> = {
    PATH: input.path.join(':'),
    HOME: input.home,
    LANG: locale,
    LC_ALL: locale,
    TMPDIR: '/tmp',
    TERM: 'dumb',
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    NPM_CONFIG_FUND: 'false',
    NPM_CONFIG_AUDIT: 'false',
  };
  for (const name of input.inherit ?? []) {
    if (!variableName.test(name)) throw invalidName(name);
    if (isSecretLikeName(name)) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `Refusing to pass ${name} into the sandbox: its name looks like a credential. Pass the value explicitly in \`env\` if the sandboxed code really needs it.`,
        { details: { name } },
      );
    }
    const value = host[name];
    if (value !== undefined) environment[name] = value;
  }
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    if (!variableName.test(name)) throw invalidName(name);
    environment[name] = String(value);
  }
  return environment;
}

function invalidName(name: string): FragmentkitError {
  return new FragmentkitError('INVALID_REQUEST', `${JSON.stringify(name)} is not a valid environment variable name.`, {
    details: { name },
  });
}
