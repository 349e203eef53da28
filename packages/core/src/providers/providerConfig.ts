import { FragmentkitError } from '../errors.js';

/**
 * Fails fast on a missing provider option with a message that names it, instead of a vague
 * SDK error on the first request.
 */
export function requireOption(value: unknown, name: string, provider: string, hint: string): void {
  if (typeof value === 'string' && value.trim() !== '') return;
  throw new FragmentkitError('PROVIDER_NOT_CONFIGURED', `The ${provider} model needs \`${name}\`. ${hint}`, {
    details: { provider, option: name },
  });
}

/**
 * Builds an SDK client, turning the SDK's own configuration errors (for example its refusal
 * to run in a browser, where the API key would be exposed) into `PROVIDER_NOT_CONFIGURED`.
 */
export function createSdkClient<Client>(provider: string, create: () => Client): Client {
  try {
    return create();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FragmentkitError('PROVIDER_NOT_CONFIGURED', `Could not set up the ${provider} client: ${message}`, {
      details: { provider },
      cause: error,
    });
  }
}
