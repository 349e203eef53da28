export {
  FragmentkitError,
  errorCodeStatus,
  isAbortError,
  toFragmentkitError,
} from './errors.js';
export type { ErrorBody, ErrorCode, FragmentkitErrorOptions } from './errors.js';

export { attachmentSchema, lineRangeSchema } from './attachments/attachment.js';
export type { Attachment, AttachmentInput, LineRange } from './attachments/attachment.js';
export { contentHash } from './attachments/contentHash.js';
export { createAttachment, languageFromPath, sliceLines } from './attachments/createAttachment.js';
export type { CreateAttachmentOptions } from './attachments/createAttachment.js';
export { budgetAttachments } from './attachments/budget.js';
export type { AttachmentBudget, BudgetAttachmentsOptions, BudgetedAttachment } from './attachments/budget.js';

export { estimateTokens, estimateTokenizer } from './tokens/tokenizer.js';
export type { Tokenizer } from './tokens/tokenizer.js';

export { templates, defaultTemplateIds } from './prompt/templates.js';
export type { Template, TemplateId } from './prompt/templates.js';
export { buildSystemPrompt } from './prompt/systemPrompt.js';
export type { SystemPromptOptions } from './prompt/systemPrompt.js';
export { renderAttachment } from './prompt/renderAttachment.js';
export { buildPrompt } from './prompt/buildPrompt.js';
export type { BuildPromptOptions, BuiltPrompt } from './prompt/buildPrompt.js';
export type { AttachmentReport, ModelMessage, PromptPartReport, PromptReport } from './prompt/types.js';

export { fragmentFileSchema, fragmentSchema } from './fragment/schema.js';
export type { DeepPartial, Fragment, FragmentFile, PartialFragment } from './fragment/schema.js';
export { parsePartialJson } from './fragment/partialJson.js';
export type { PartialJsonResult } from './fragment/partialJson.js';
export { createFragmentParser } from './fragment/fragmentParser.js';
export type { FragmentParser } from './fragment/fragmentParser.js';

export { chatRequestSchema, createChatRequestSchema, defaultChatLimits } from './wire/chatRequest.js';
export type { ChatLimits, ChatRequest, ChatRequestInput } from './wire/chatRequest.js';
export { isTerminalChatEvent } from './wire/chatEvents.js';
export type {
  ChatStreamEvent,
  ChatStreamEventType,
  DoneEvent,
  ErrorEvent,
  FragmentDeltaEvent,
  MetaEvent,
  RestartEvent,
  UsageEvent,
} from './wire/chatEvents.js';

export type { FinishReason, LanguageModel, ModelRequest, ModelStreamEvent } from './providers/types.js';
export type { Usage } from './usage.js';
