export type {
  ChatReconnectOptions,
  ChatSendOptions,
  ChatSession,
  ChatSessionOptions,
  ChatState,
  ChatStatus,
  ChatTurn,
  ChatTurnStatus,
} from './chatSession.js';
export { createChatSession } from './chatSession.js';
export { readChatEvents } from './readChatEvents.js';
