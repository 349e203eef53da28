export type { Fragmentkit, FragmentkitConfig } from './fragmentkit.js';
export { createFragmentkit } from './fragmentkit.js';
export type { FragmentkitLogger } from './logger.js';
export type { InProcessQueueOptions } from './queue/inProcessQueue.js';
export { createInProcessQueue } from './queue/inProcessQueue.js';
export type { QueueClock } from './queue/queueClock.js';
export { systemQueueClock } from './queue/queueClock.js';
export type {
  EnqueueTaskInput,
  ProcessTaskOptions,
  TaskContext,
  TaskHandler,
  TaskJob,
  TaskListener,
  TaskQueue,
  TaskStatus,
  TaskTimestamps,
} from './queue/taskQueue.js';
export type { TaskQueueOptions, TaskRetentionOptions, TaskRetryOptions } from './queue/taskQueueOptions.js';
export { defaultTaskPriorities, maxTaskPriority } from './queue/taskQueueOptions.js';
export type { MemoryRateLimitStore, MemoryRateLimitStoreOptions } from './rateLimit/memoryRateLimitStore.js';
export { createMemoryRateLimitStore } from './rateLimit/memoryRateLimitStore.js';
export type {
  RateLimitCheckOptions,
  RateLimitDecision,
  RateLimiter,
  RateLimiterMetrics,
  RateLimiterOptions,
  RateLimitPolicyResult,
  RateLimitStoreErrorContext,
} from './rateLimit/rateLimiter.js';
export { createRateLimiter } from './rateLimit/rateLimiter.js';
export type {
  RateLimitAlgorithm,
  RateLimitPolicy,
  RateLimitRule,
  RateLimitSubject,
} from './rateLimit/rateLimitPolicy.js';
export { rateLimitError, rateLimitedResponse, rateLimitHeaders } from './rateLimit/rateLimitResponse.js';
export type {
  RateLimitConsumption,
  RateLimitRequest,
  RateLimitStore,
  RateLimitUsage,
} from './rateLimit/rateLimitStore.js';
export type { DailyLimits, TieredDailyPoliciesOptions } from './rateLimit/tieredDailyPolicies.js';
export { tieredDailyPolicies } from './rateLimit/tieredDailyPolicies.js';
export { defaultAppRole } from './store/appRole.js';
export type { AuditInput, AuditRecord, ListAuditInput } from './store/auditLog.js';
export type {
  ConversationDetail,
  ConversationPage,
  ConversationRecord,
  ListConversationsInput,
} from './store/conversations.js';
export type { Database, Queryable, QueryResult } from './store/database.js';
export type { FragmentStore, FragmentStoreOptions, IdempotencyKeyStore } from './store/fragmentStore.js';
export { createFragmentStore } from './store/fragmentStore.js';
export type { ExecutionRecord, FragmentRecord, RecordExecutionInput, SaveFragmentInput } from './store/fragments.js';
export type {
  BeginIdempotencyInput,
  BeginIdempotencyResult,
  CompleteIdempotencyInput,
  IdempotencyKeyLookup,
  IdempotencyKeyRecord,
  IdempotentResponse,
  RecordedServerSentEvent,
} from './store/idempotencyKeys.js';
export type { AppendMessageInput, MessageRecord, MessageRole } from './store/messages.js';
export type { MigrateOptions, MigrateResult, Migration } from './store/migrations.js';
export { fragmentStoreMigrations, migrate } from './store/migrations.js';
export type { PurgeResult } from './store/retention.js';
export type { Tenant } from './store/tenantTransaction.js';
export type { RecordUsageInput, UsageRecord, UsageTotals, UsageTotalsInput } from './store/usageLedger.js';
