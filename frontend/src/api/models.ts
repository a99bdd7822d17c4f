// Names for the API's shapes. Every type here is generated from the OpenAPI schema
// (schema.d.ts, `make api-types`): nothing is written by hand, so the server stays the truth.
import type { components } from "./schema";

type Schemas = components["schemas"];

// --- accounts -------------------------------------------------------------------------
export type Me = Schemas["Me"];
export type Session = Schemas["Session"];
export type Site = Schemas["Site"];
export type SiteInput = Schemas["SiteRequest"];

// --- AI provider ----------------------------------------------------------------------
export type AIProviderSettings = Schemas["AIProviderSettings"];
export type AIProviderCheck = Schemas["AIProviderTest"];

// --- automation -----------------------------------------------------------------------
export type AutomationConfig = Schemas["AutomationConfig"];
export type AutomationConfigInput = Schemas["AutomationConfigRequest"];
export type AutomationRun = Schemas["AutomationRun"];
export type RunStatus = Schemas["AutomationRunStatusEnum"];
export type StageKind = Schemas["StageKindEnum"];
/** How stage 1 groups keywords: "ai" (the text model) or "local" (no AI calls, 0 credits). */
export type ClusteringMethod = Schemas["ClusteringMethodEnum"];
export type StageDescription = Schemas["StageDescription"];
/** What a stage stores as stage_N_result ({} before it ran). */
export type StageResult = Schemas["StageTally"];
export type InitialSnapshot = Schemas["InitialSnapshot"];
export type RunStarted = Schemas["RunStarted"];
export type CurrentRun = Schemas["CurrentRun"];
export type RunTransition = Schemas["RunTransition"];
export type PipelineOverview = Schemas["PipelineOverview"];
export type PipelineStage = Schemas["PipelineStage"];
export type CurrentProcessing = Schemas["Processing"];
export type CurrentProcessingAnswer = Schemas["CurrentProcessing"];
export type RunProgress = Schemas["RunProgress"];
export type GlobalProgressData = Schemas["GlobalProgress"];
export type ProgressStage = Schemas["StageProgress"];
export type Estimate = Schemas["Estimate"];
/** The ratios an estimate projects downstream items with, each with where it came from. */
export type SiteRatios = Schemas["SiteRatios"];
export type Ratio = Schemas["Ratio"];
export type RatioSource = Schemas["RatioSourceEnum"];
export type RunHistoryList = Schemas["RunHistoryList"];
export type RunHistory = Schemas["RunHistory"];
export type RunLog = Schemas["RunLog"];
export type RunMetrics = Schemas["RunMetrics"];
export type RunDetail = Schemas["RunDetail"];
export type FailedItem = Schemas["FailedItem"];
export type RetryRequest = Schemas["RetryFailedRequest"];
export type RetryResult = Schemas["RetryFailed"];

// --- planner / writer -----------------------------------------------------------------
export type Keyword = Schemas["Keyword"];
export type Cluster = Schemas["Cluster"];
export type Idea = Schemas["Idea"];
export type Task = Schemas["Task"];
export type ImportResult = Schemas["KeywordImportResult"];
export type ContentItem = Schemas["ContentDetail"];
export type ContentSummary = Schemas["ContentList"];
export type ContentEdit = Schemas["PatchedContentEditRequest"];
export type ContentReject = Schemas["ContentRejectRequest"];
export type ImageItem = Schemas["Image"];
export type QualityCheck = Schemas["QualityCheck"];

// --- publishing / billing / notifications ---------------------------------------------
export type PublishingSettings = Schemas["PublishingSettings"];
export type PublishingSettingsInput = Schemas["PublishingSettingsRequest"];
export type SchedulingMode = Schemas["SchedulingModeEnum"];
export type QueueResponse = Schemas["PublishingQueue"];
export type QueueItem = Schemas["PublishingQueueItem"];
export type WordPressConnection = Schemas["WordPressConnectionOut"];
export type WordPressConnectionInput = Schemas["WordPressConnectionRequest"];
export type WordPressTest = Schemas["WordPressTest"];
export type CreditBalance = Schemas["CreditBalance"];
export type CreditTransaction = Schemas["CreditTransaction"];
export type RunCredits = Schemas["RunCredits"];
export type GrantResult = Schemas["GrantResult"];
/** AI usage per calendar month (UTC, newest first): tokens and provider cost next to credits. */
export type AIUsage = Schemas["AIUsage"];
export type AIUsageMonth = Schemas["AIUsageMonth"];
export type AIBudget = Schemas["AIBudgetAllocation"];
export type AIBudgetInput = Schemas["AIBudgetAllocationRequest"];
/** The AI operations a run budget is shared between (the keys of the allocation). */
export type BudgetOperation = keyof Schemas["AIBudgetEffective"];
export type NotificationSettings = Schemas["NotificationSettings"];
export type NotificationUpdate = Schemas["NotificationUpdateRequest"];
export type NotificationTestResult = Schemas["NotificationTestResult"];

// --- lists ----------------------------------------------------------------------------
/** The page envelope every paginated list shares ({count, next, previous, results}). */
export type Paginated<T> = Omit<Schemas["PaginatedKeywordList"], "results"> & { results: T[] };
export type KeywordPage = Schemas["PaginatedKeywordList"];
export type ClusterPage = Schemas["PaginatedClusterList"];
export type IdeaPage = Schemas["PaginatedIdeaList"];
export type TaskPage = Schemas["PaginatedTaskList"];
export type ContentPage = Schemas["PaginatedContentListList"];
export type SitePage = Schemas["PaginatedSiteList"];
export type CreditTransactionPage = Schemas["PaginatedCreditTransactionList"];
export type RunCreditsPage = Schemas["PaginatedRunCreditsList"];
export type FailedItemsPage = Schemas["PaginatedFailedItems"];
