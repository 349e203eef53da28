export type { FakeProvider, FakeProviderOptions } from './fakeProvider.js';
export { startFakeProvider } from './fakeProvider.js';
export type { FakeErrorReply, FakeInterruption, FakeReply, FakeTextReply, FakeUsage } from './fakeReply.js';
export { defaultFragmentReply } from './fragmentReply.js';
export type { FakeApi, RecordedMessage, RecordedRequest } from './recordedRequest.js';
