export type { FakeProvider, FakeProviderOptions } from './fakeProvider.js';
export { startFakeProvider } from './fakeProvider.js';
export type {
  FakeConnectionFault,
  FakeErrorReply,
  FakeInterruption,
  FakeReply,
  FakeTextReply,
  FakeUsage,
} from './fakeReply.js';
export type { FaultName, FaultScenarios, FaultScenariosOptions } from './faultScenarios.js';
export { createFaultScenarios, faultNames } from './faultScenarios.js';
export { defaultFragmentReply } from './fragmentReply.js';
export type { FakeApi, RecordedMessage, RecordedRequest } from './recordedRequest.js';
