export type { AttachedContextPanelProps } from './AttachedContextPanel.js';
export { AttachedContextPanel } from './AttachedContextPanel.js';
export type { AttachmentChipsProps } from './AttachmentChips.js';
export { AttachmentChips } from './AttachmentChips.js';
export type { AgentTaskClientStatus, AgentTaskState } from './agentTask/agentTaskSession.js';
export type {
  AgentTaskFile,
  AgentTaskInput,
  AgentTaskMode,
  AgentTaskStatus,
  AgentTaskView,
} from './agentTask/agentTaskView.js';
export type { AcceptedFile } from './agentTask/resolveAcceptedFiles.js';
export type { UseAgentTaskOptions, UseAgentTaskResult } from './agentTask/useAgentTask.js';
export { useAgentTask } from './agentTask/useAgentTask.js';
export type { ChatThreadProps } from './ChatThread.js';
export { ChatThread } from './ChatThread.js';
export type { CodeViewProps } from './CodeView.js';
export { CodeView } from './CodeView.js';
export type { ComposerProps } from './Composer.js';
export { Composer } from './Composer.js';
export type { ContextBudgetBarProps } from './ContextBudgetBar.js';
export { ContextBudgetBar } from './ContextBudgetBar.js';
export type { ContextBudgetSummary, ContextCut } from './contextBudget.js';
export { contextBudgetOf, contextBudgetThresholds } from './contextBudget.js';
export type { DiffViewFile, DiffViewProps } from './DiffView.js';
export { DiffView } from './DiffView.js';
export type { DiffLine } from './diffLines.js';
export { diffLines } from './diffLines.js';
export type { FragmentkitContextValue, FragmentkitProviderProps } from './FragmentkitProvider.js';
export { defaultEndpoint, FragmentkitProvider, useFragmentkit } from './FragmentkitProvider.js';
export type { IncidentListProps } from './incidents/IncidentList.js';
export { IncidentList } from './incidents/IncidentList.js';
export type { IncidentsConnection, IncidentsSnapshot } from './incidents/incidentsClient.js';
export type { UseIncidentsOptions, UseIncidentsResult } from './incidents/useIncidents.js';
export { useIncidents } from './incidents/useIncidents.js';
export { lineRangeLabel } from './lineRangeLabel.js';
export type { FragmentPreviewProps, PreviewStatus, PreviewWarning } from './preview/FragmentPreview.js';
export { FragmentPreview } from './preview/FragmentPreview.js';
export { previewChecks } from './preview/previewChecks.js';
export type { PreviewFragment, PreviewKind } from './preview/previewKind.js';
export type { PreviewErrorKind, PreviewRuntimeError } from './preview/previewRuntimeError.js';
export type { PreviewIsolation } from './preview/previewSandbox.js';
export type { StaleAttachments } from './staleAttachments.js';
export { createStaleAttachments } from './staleAttachments.js';
export type { UsageMeterProps } from './UsageMeter.js';
export { formatUsd, UsageMeter } from './UsageMeter.js';
export type { UseAttachmentsResult } from './useAttachments.js';
export { useAttachments } from './useAttachments.js';
export type { CodeSelection, UseCodeSelectionOptions, UseCodeSelectionResult } from './useCodeSelection.js';
export { defaultAttachShortcut, useCodeSelection } from './useCodeSelection.js';
export type { ChatMessage, UseFragmentChatOptions, UseFragmentChatResult } from './useFragmentChat.js';
export { useFragmentChat } from './useFragmentChat.js';
