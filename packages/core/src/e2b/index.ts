export { classifySandboxError, toE2BError } from './e2bErrors.js';
export type {
  E2BPoolOptions,
  E2BProviderEvent,
  E2BProviderSnapshot,
  E2BRetryOptions,
  E2BSandboxProvider,
  E2BSandboxProviderOptions,
} from './e2bSandboxProvider.js';
export { createE2BSandboxProvider } from './e2bSandboxProvider.js';
export type {
  E2BBackgroundCommand,
  E2BCommandOptions,
  E2BCommandOutcome,
  E2BCreateOptions,
  E2BExecution,
  E2BSandboxHandle,
  E2BSdk,
} from './e2bSdk.js';
export { e2bSdk } from './e2bSdk.js';
export type { E2BTemplateOptions } from './e2bTemplates.js';
export { fragmentsE2BTemplates } from './e2bTemplates.js';
