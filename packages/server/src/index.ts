export type { AuthContext, AuthHook, TeamRole } from './auth/authContext.js';
export { teamRoles } from './auth/authContext.js';
export type { JwtAuthOptions } from './auth/jwtAuth.js';
export { createJwtAuth } from './auth/jwtAuth.js';
export type { JwtClaimNames } from './auth/jwtClaims.js';
export { requireRole } from './auth/requireRole.js';
export type { ChatModel, ChatModelEvent, ChatModelRestart } from './chatModel.js';
export type { ChatQuota, ChatQuotaDecision, CostFunction, QuotaSubjectIds } from './chatQuota.js';
export type { ClientIpOptions } from './clientAddress.js';
export { setClientAddress } from './clientAddress.js';
export type { ConversationPermissions } from './conversationRoutes.js';
export type { CorsOptions } from './cors.js';
export type { Fragmentkit, FragmentkitConfig, FragmentkitMaintenance } from './fragmentkit.js';
export { createFragmentkit } from './fragmentkit.js';
export type { GatewayOptions } from './gateway/gatewayOptions.js';
export type { OpenAIErrorBody } from './gateway/openAIError.js';
export { openAIErrorBody, openAIErrorResponse } from './gateway/openAIError.js';
export { createFragmentStoreIdempotencyStore } from './idempotency/fragmentStoreIdempotencyStore.js';
export type {
  Idempotency,
  IdempotencyClaim,
  IdempotencyConfig,
  IdempotencyOptions,
  IdempotencyTicket,
  IdempotentCall,
} from './idempotency/idempotency.js';
export { answerFromRecord, createIdempotency } from './idempotency/idempotency.js';
export type {
  IdempotencyBeginInput,
  IdempotencyBeginResult,
  IdempotencyCompleteInput,
  IdempotencyKeyId,
  IdempotencyRecord,
  IdempotencyStore,
} from './idempotency/idempotencyStore.js';
export type { MemoryIdempotencyStoreOptions } from './idempotency/memoryIdempotencyStore.js';
export { createMemoryIdempotencyStore } from './idempotency/memoryIdempotencyStore.js';
export { hashRequestBody } from './idempotency/requestHash.js';
export type { IncidentFeed } from './incidents/incidentFeed.js';
export { createIncidentFeed } from './incidents/incidentFeed.js';
export type {
  CreateProjectInput,
  IncidentProject,
  IngestKeyRecord,
  IssuedIngestKey,
} from './incidents/incidentProjects.js';
export type { ListIncidentsInput } from './incidents/incidentRecords.js';
export { incidentTables, ingestKeySetting } from './incidents/incidentSchema.sql.js';
export type { IncidentStore, IncidentStoreOptions, IngestTarget } from './incidents/incidentStore.js';
export { createIncidentStore } from './incidents/incidentStore.js';
export type { IncidentsConfig } from './incidents/incidentsConfig.js';
export type { IngestRateLimiterOptions } from './incidents/ingestRateLimiter.js';
export { createIngestRateLimiter } from './incidents/ingestRateLimiter.js';
export { mapFrames } from './incidents/mapFrames.js';
export type { SourceMapFile } from './incidents/sourceMaps.js';
export type { FragmentkitLogger } from './logger.js';
export { databaseHealthCheck, redisHealthCheck } from './observability/dependencyHealthChecks.js';
export type {
  HealthCheck,
  HealthCheckDefinition,
  HealthCheckOptions,
  HealthCheckOutcome,
  HealthCheckResult,
  HealthReport,
  HealthStatus,
} from './observability/healthChecks.js';
export { runHealthChecks } from './observability/healthChecks.js';
export { estimateQuantile } from './observability/histogramQuantile.js';
export type {
  Counter,
  Gauge,
  Histogram,
  HistogramSample,
  MetricFamily,
  MetricLabels,
  MetricOptions,
  MetricSample,
  MetricsRegistry,
  MetricsSnapshot,
  ObservedMetricOptions,
} from './observability/metricsRegistry.js';
export { createMetricsRegistry } from './observability/metricsRegistry.js';
export type { MetricsConfig } from './observability/observability.js';
export { observeSandboxProvider } from './observability/observedSandboxProvider.js';
export { prometheusContentType, toPrometheusText } from './observability/prometheusText.js';
export { fragmentkitTracerName } from './observability/requestTracing.js';
export type {
  FragmentkitMetrics,
  FragmentkitMetricsSnapshot,
  LatencyQuantiles,
  SandboxOperationRecord,
} from './observability/serverMetrics.js';
export type { PreviewRuntimeOptions } from './previewRuntimeRoute.js';
export type {
  ProjectFile,
  ProjectSnapshot,
  ProjectSnapshotStore,
  ProjectVersionSummary,
} from './projects/projectSnapshotStore.js';
export type { S3ProjectSnapshotStoreOptions } from './projects/s3ProjectSnapshotStore.js';
export { createS3ProjectSnapshotStore } from './projects/s3ProjectSnapshotStore.js';
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
export type { RequestLogLine } from './requestLog.js';
export type { ChatTasks, RouterChatModelOptions } from './routerModel.js';
export { createRouterChatModel, defaultChatTasks } from './routerModel.js';
export type { MemoryPreviewShareStoreOptions } from './sandbox/memoryPreviewShareStore.js';
export { createMemoryPreviewShareStore } from './sandbox/memoryPreviewShareStore.js';
export type { PreviewShare, PreviewShareStore } from './sandbox/previewShareStore.js';
export { defaultExpiredShareRetentionMs } from './sandbox/previewShareStore.js';
export type { PreviewShareConfig, SandboxConfig, SandboxPolicy, SandboxRunRequest } from './sandbox/sandboxConfig.js';
export type {
  SandboxDoneEvent,
  SandboxErrorEvent,
  SandboxMetaEvent,
  SandboxOutputEvent,
  SandboxResultEvent,
  SandboxRunEvent,
  SandboxRunStatusPhase,
  SandboxStatusEvent,
} from './sandbox/sandboxRunEvents.js';
export type { ServerSentEvent } from './sse.js';
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
export type { StreamsConfig } from './streams/chatStreams.js';
export type { MemoryStreamBufferOptions } from './streams/memoryStreamBuffer.js';
export { createMemoryStreamBuffer } from './streams/memoryStreamBuffer.js';
export type { StreamBuffer, StreamReadOptions, StreamSlice } from './streams/streamBuffer.js';
export type { AgentTaskAuditAction } from './tasks/agentTaskAudit.js';
export { projectAuditSubject } from './tasks/agentTaskAudit.js';
export type { AgentTaskLimits, AgentTaskRequest } from './tasks/agentTaskRequest.js';
export { defaultAgentTaskLimits } from './tasks/agentTaskRequest.js';
export type {
  AgentTaskChange,
  AgentTaskStateStore,
  CreateAgentTaskInput,
  MemoryAgentTaskStateStoreOptions,
} from './tasks/agentTaskStateStore.js';
export { createMemoryAgentTaskStateStore } from './tasks/agentTaskStateStore.js';
export type { AgentTasksConfig } from './tasks/agentTasks.js';
export type {
  AgentTaskFile,
  AgentTaskMetrics,
  AgentTaskMode,
  AgentTaskRecord,
  AgentTaskResult,
  AgentTaskSource,
  AgentTaskStatus,
  AgentTaskView,
} from './tasks/agentTaskView.js';
export type { AgentTaskJobData, AgentTaskJobOutcome } from './tasks/agentTaskWorker.js';
