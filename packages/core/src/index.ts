export type {
  Attachment,
  AttachmentInput,
  AttachmentSchemaOptions,
  ErrorAttachment,
  FileAttachment,
  LineRange,
  SnippetAttachment,
} from './attachments/attachment.js';
export { attachmentSchema, createAttachmentSchema, lineRangeSchema } from './attachments/attachment.js';
export type { AttachmentStore } from './attachments/attachmentStore.js';
export { createAttachmentStore } from './attachments/attachmentStore.js';
export type { AttachmentBudget, BudgetAttachmentsOptions, BudgetedAttachment } from './attachments/budget.js';
export { budgetAttachments } from './attachments/budget.js';
export { contentHash } from './attachments/contentHash.js';
export type { CreateAttachmentOptions } from './attachments/createAttachment.js';
export { createAttachment, languageFromPath, sliceLines } from './attachments/createAttachment.js';
export type { CreateErrorAttachmentOptions } from './attachments/createErrorAttachment.js';
export { createErrorAttachment } from './attachments/createErrorAttachment.js';
export type { CreateFileAttachmentOptions } from './attachments/createFileAttachment.js';
export { createFileAttachment } from './attachments/createFileAttachment.js';
export type {
  CreateIncidentAttachmentOptions,
  RuntimeErrorLike,
  SourceFile,
} from './attachments/createIncidentAttachment.js';
export { createIncidentAttachment } from './attachments/createIncidentAttachment.js';
export { mergeAttachments } from './attachments/mergeAttachments.js';
export { detectStale, refreshAttachment } from './attachments/staleAttachments.js';
export type { MemoryResponseCacheOptions } from './cache/memoryResponseCache.js';
export { createMemoryResponseCache } from './cache/memoryResponseCache.js';
export type { CachedResponseSource } from './cache/recordForCache.js';
export { recordForCache } from './cache/recordForCache.js';
export type { ReplayCachedStreamOptions } from './cache/replayCachedStream.js';
export { replayCachedStream } from './cache/replayCachedStream.js';
export type {
  CachedResponse,
  ResponseCache,
  ResponseCacheStats,
  ResponseCacheWithStats,
} from './cache/responseCache.js';
export { withCacheStats } from './cache/responseCache.js';
export type { ResponseCacheKeyInput } from './cache/responseCacheKey.js';
export { responseCacheKey } from './cache/responseCacheKey.js';
export type {
  ChatReconnectOptions,
  ChatSendOptions,
  ChatSession,
  ChatSessionOptions,
  ChatState,
  ChatStatus,
  ChatTurn,
  ChatTurnStatus,
} from './chat/index.js';
export { createChatSession, readChatEvents } from './chat/index.js';
export type { Cost } from './cost/computeCost.js';
export { computeCost } from './cost/computeCost.js';
export { defaultPrices, defaultPricesAsOf } from './cost/defaultPrices.js';
export type { ModelPrice } from './cost/modelPrice.js';
export type { ModelReference, PriceMatch, PriceTable, PriceTableOptions } from './cost/priceTable.js';
export { createPriceTable } from './cost/priceTable.js';
export type {
  AppliedHunk,
  ApplyFailureReason,
  ApplyFilePatchOptions,
  ApplyFilePatchResult,
} from './diff/applyFilePatch.js';
export { applyFilePatch } from './diff/applyFilePatch.js';
export type { ApplyPatchSetOptions, FileContent, PatchSetEntry, PatchSetResult } from './diff/applyPatchSet.js';
export { applyPatchSet } from './diff/applyPatchSet.js';
export type { CreateUnifiedDiffOptions } from './diff/createUnifiedDiff.js';
export { createUnifiedDiff } from './diff/createUnifiedDiff.js';
export type { ExtractedDiffs } from './diff/extractDiffs.js';
export { extractDiffs, patchAnswerFormat } from './diff/extractDiffs.js';
export type { FilePatch, FilePatchType, PatchHunk } from './diff/filePatch.js';
export type { InvalidDiffReason } from './diff/invalidDiffError.js';
export type { HunkFailureReason, HunkStrategy } from './diff/locateHunk.js';
export { parseUnifiedDiff } from './diff/parseUnifiedDiff.js';
export type { ErrorBody, ErrorCode, FragmentkitErrorOptions } from './errors.js';
export {
  errorCodeStatus,
  FragmentkitError,
  isAbortError,
  toFragmentkitError,
} from './errors.js';
export type { FragmentParser } from './fragment/fragmentParser.js';
export { createFragmentParser } from './fragment/fragmentParser.js';
export type { PartialJsonResult } from './fragment/partialJson.js';
export { parsePartialJson } from './fragment/partialJson.js';
export type { DeepPartial, Fragment, FragmentFile, PartialFragment } from './fragment/schema.js';
export { fragmentFileSchema, fragmentSchema } from './fragment/schema.js';
export type { FingerprintInput } from './incidents/fingerprint.js';
export { fingerprint } from './incidents/fingerprint.js';
export type { IncidentEvent, IncidentLevel, IncidentRuntime, IngestPayload } from './incidents/incidentEvent.js';
export {
  incidentEventSchema,
  incidentLevels,
  incidentRuntimeSchema,
  ingestPayloadSchema,
  stackFrameSchema,
} from './incidents/incidentEvent.js';
export { incidentLimits } from './incidents/incidentLimits.js';
export type {
  Incident,
  IncidentDetail,
  IncidentPage,
  IncidentStatus,
  MappedStackFrame,
  OriginalPosition,
} from './incidents/incidentRecord.js';
export { incidentStatuses } from './incidents/incidentRecord.js';
export { normalizeMessage } from './incidents/normalizeMessage.js';
export type { ParseStackTraceOptions, StackFrame } from './incidents/parseStackTrace.js';
export { parseStackTrace } from './incidents/parseStackTrace.js';
export { scrubSecrets } from './incidents/scrubSecrets.js';
export type { BuildPromptOptions, BuiltPrompt } from './prompt/buildPrompt.js';
export { buildPrompt } from './prompt/buildPrompt.js';
export { createCanary, detectCanaryLeak } from './prompt/canary.js';
export { createCanaryLeakGuard } from './prompt/canaryLeakGuard.js';
export type { ContextBudgetOptions } from './prompt/contextBudget.js';
export { resolveContextBudget } from './prompt/contextBudget.js';
export type {
  ContextEngine,
  ContextEngineOptions,
  PrepareContextOptions,
  PreparedContext,
} from './prompt/contextEngine.js';
export { createContextEngine } from './prompt/contextEngine.js';
export type { ConversationTurn, TurnFragment } from './prompt/conversationTurn.js';
export { turnsFromMessages } from './prompt/conversationTurn.js';
export { renderDataBlock } from './prompt/dataBlock.js';
export { summarizeTurnsWithoutModel } from './prompt/deterministicSummary.js';
export type { SummarySource } from './prompt/historySummary.js';
export { renderAttachment } from './prompt/renderAttachment.js';
export type { CachedSummary, MemorySummaryCacheOptions, SummaryCache } from './prompt/summaryCache.js';
export { createMemorySummaryCache } from './prompt/summaryCache.js';
export type { SummarizeRequest, Summarizer, SummaryModelRequest } from './prompt/summaryRequest.js';
export { buildSummaryRequest } from './prompt/summaryRequest.js';
export type { SystemPromptOptions } from './prompt/systemPrompt.js';
export { buildSystemPrompt } from './prompt/systemPrompt.js';
export type { Template, TemplateId } from './prompt/templates.js';
export { defaultTemplateIds, templates } from './prompt/templates.js';
export type {
  AttachmentReport,
  ContextBudgetReport,
  HistoryReport,
  ModelMessage,
  PromptPartName,
  PromptPartReport,
  PromptReport,
} from './prompt/types.js';
export type { FinishReason, LanguageModel, ModelRequest, ModelStreamEvent } from './providers/types.js';
export type { Quota, QuotaOptions, QuotaStoreOperation } from './quota/quota.js';
export { createQuota, toQuotaConsumption } from './quota/quota.js';
export { quotaExceededError } from './quota/quotaExceededError.js';
export type { QuotaPeriod } from './quota/quotaPeriod.js';
export type { QuotaCounterUpdate, QuotaStore } from './quota/quotaStore.js';
export { createMemoryQuotaStore } from './quota/quotaStoreMemory.js';
export type {
  QuotaConsumption,
  QuotaDecision,
  QuotaLimitState,
  QuotaLimits,
  QuotaLimitsByScope,
  QuotaSubject,
} from './quota/types.js';
export type {
  BreakerAcquisition,
  BreakerConfig,
  BreakerErrorSummary,
  BreakerOutcome,
  BreakerState,
  BreakerStore,
  BreakerTargetSnapshot,
  BreakerTicket,
} from './router/breakerStore.js';
export { createMemoryBreakerStore } from './router/breakerStoreMemory.js';
export type {
  BreakerPermit,
  BreakerSnapshot,
  BreakerStoreOperation,
  CircuitBreaker,
  CircuitBreakerOptions,
} from './router/circuitBreaker.js';
export { createCircuitBreaker, defaultBreakerConfig } from './router/circuitBreaker.js';
export type { BreakerErrorClass } from './router/circuitBreakerClassify.js';
export { classifyBreakerError } from './router/circuitBreakerClassify.js';
export type { Clock } from './router/clock.js';
export { systemClock } from './router/clock.js';
export type { LatencySummary } from './router/latencyStats.js';
export type { ManualClock } from './router/manualClock.js';
export { createManualClock } from './router/manualClock.js';
export type { RetryOptions } from './router/retryPolicy.js';
export { defaultRetryOptions } from './router/retryPolicy.js';
export { createRouter } from './router/router.js';
export type { RouterAttempt } from './router/routerAttempt.js';
export type { RouterAnsweredBy, RouterSnapshot, RouterTargetHealth } from './router/routerHealth.js';
export type { RouterHooks, RouterHooksOptions } from './router/routerHooks.js';
export { createRouterHooks } from './router/routerHooks.js';
export type { RouterLogger } from './router/routerLogger.js';
export type {
  Router,
  RouterAnswer,
  RouterBeforeRouteContext,
  RouterGenerateResult,
  RouterOptions,
  RouterReplay,
  RouterRequest,
  RouterStreamEvent,
  RouterTargetInfo,
} from './router/routerTypes.js';
export type { LanguageModelFactory, RouterTarget } from './router/routeTarget.js';
export type { StreamTimeouts, TimeoutPhase } from './router/streamTimeouts.js';
export { defaultStreamTimeouts } from './router/streamTimeouts.js';
export type { TimerClock } from './router/timerClock.js';
export { systemTimerClock } from './router/timerClock.js';
export type { FragmentRunPlan } from './sandbox/fragmentRunPlans.js';
export { defaultFragmentRunPlans, fragmentRunPlan } from './sandbox/fragmentRunPlans.js';
export type { JsToken, JsTokenizeResult, JsTokenKind } from './sandbox/jsTokenizer.js';
export { tokenizeJs } from './sandbox/jsTokenizer.js';
export type { PackageSpec } from './sandbox/packageSpec.js';
export { parsePackageSpec } from './sandbox/packageSpec.js';
export type {
  FragmentRunPhase,
  FragmentRunProgress,
  FragmentRunResult,
  FragmentRunStatus,
  PreviewUnavailable,
  RunFragmentOptions,
  RunFragmentTimeouts,
} from './sandbox/runFragment.js';
export { runFragment } from './sandbox/runFragment.js';
export type { FragmentRuntimeError } from './sandbox/runtimeError.js';
export { parseRuntimeError, runtimeErrorFromExecution } from './sandbox/runtimeError.js';
export { normalizeSandboxPath } from './sandbox/sandboxPath.js';
export type {
  PackageManager,
  SandboxAcquireOptions,
  SandboxCode,
  SandboxCommandResult,
  SandboxDisplayResult,
  SandboxExecutionError,
  SandboxFile,
  SandboxInstallOptions,
  SandboxIsolation,
  SandboxLanguage,
  SandboxProvider,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxSession,
  SandboxSessionSnapshot,
  SandboxSessionStatus,
  SandboxStartOptions,
  SandboxStartResult,
  SandboxTermination,
  SandboxTerminationReason,
} from './sandbox/sandboxProvider.js';
export type {
  StaticCheckOptions,
  StaticCheckPolicy,
  StaticCheckReport,
  StaticFinding,
  StaticRule,
} from './sandbox/staticChecks.js';
export { checkBrowserCode, checkFragment, defaultDependencyAllowlist } from './sandbox/staticChecks.js';
export type { StoreFailover, StoreFailoverOptions, StoreFailoverResult } from './storeFailover.js';
export { createStoreFailover } from './storeFailover.js';
export { withTokenCorrection } from './tokens/correctedTokenizer.js';
export type { GptEncodingName } from './tokens/gptTokenizer.js';
export { loadGptTokenizer } from './tokens/gptTokenizer.js';
export type { InputTokenCounter, TokenCountRequest } from './tokens/inputTokenCounter.js';
export type { ModelLimits } from './tokens/modelLimits.js';
export { defaultModelLimits, findModelLimits } from './tokens/modelLimits.js';
export type { Tokenizer } from './tokens/tokenizer.js';
export { estimateTokenizer, estimateTokens } from './tokens/tokenizer.js';
export type { TokenizerForModelOptions } from './tokens/tokenizerForModel.js';
export { loadTokenizerForModel, tokenizerForModel } from './tokens/tokenizerForModel.js';
export type { Usage } from './usage.js';
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
export { isTerminalChatEvent } from './wire/chatEvents.js';
export type { ChatLimits, ChatRequest, ChatRequestInput } from './wire/chatRequest.js';
export { chatRequestSchema, createChatRequestSchema, defaultChatLimits } from './wire/chatRequest.js';
