export type { BubblewrapStatus } from './bubblewrap.js';
export { detectBubblewrap } from './bubblewrap.js';
export type {
  LocalSandboxLimits,
  LocalSandboxProvider,
  LocalSandboxProviderOptions,
} from './localSandboxProvider.js';
export { createLocalSandboxProvider, defaultLocalSandboxLimits } from './localSandboxProvider.js';
export { isSecretLikeName } from './sandboxEnvironment.js';
