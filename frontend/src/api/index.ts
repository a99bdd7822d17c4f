// Typed functions over the REST API, one per endpoint the dashboard uses.
import { call, resultsOf } from "./client";
import type {
  AIBudget,
  AIBudgetInput,
  AIUsage,
  AutomationConfig,
  AutomationConfigInput,
  ClusterPage,
  ContentEdit,
  ContentItem,
  ContentPage,
  ContentReject,
  ContentSummary,
  CreditBalance,
  CreditTransactionPage,
  CurrentProcessingAnswer,
  CurrentRun,
  Estimate,
  GrantResult,
  IdeaPage,
  ImportResult,
  KeywordPage,
  Me,
  NotificationSettings,
  NotificationTestResult,
  NotificationUpdate,
  PipelineOverview,
  PublishingSettings,
  PublishingSettingsInput,
  QueueResponse,
  RetryRequest,
  RetryResult,
  RunCreditsPage,
  RunDetail,
  RunHistoryList,
  RunLog,
  RunMetrics,
  RunProgress,
  RunStarted,
  RunTransition,
  Session,
  Site,
  SiteInput,
  SitePage,
  StageDescription,
  TaskPage,
  WordPressConnection,
  WordPressConnectionInput,
  WordPressTest,
} from "./models";

export const auth = {
  csrf: () => call<unknown>("authCsrf"),
  async login(username: string, password: string) {
    await auth.csrf(); // sets the csrftoken cookie the POST needs
    return call<Me>("authLogin", { body: { username, password } });
  },
  logout: () => call<unknown>("authLogout", { body: {} }),
  me: () => call<Me>("authMe"),
  /** The signed-in user or null: answers 200 signed out too, so the login page logs no 401. */
  session: async () => (await call<Session>("authSession")).user,
};

export const sites = {
  list: async () => resultsOf(await call<SitePage>("sites", { query: { page_size: 1000 } })),
  create: (body: Partial<SiteInput>) => call<Site>("siteCreate", { body }),
  update: (id: number, body: Partial<SiteInput>) => call<Site>("siteUpdate", { params: { id }, body }),
  remove: (id: number) => call<null>("siteDelete", { params: { id } }),
};

export interface LedgerQuery {
  siteId?: number | null;
  runId?: string;
  operation?: string;
  type?: string;
  page: number;
  pageSize: number;
}

export const billing = {
  balance: () => call<CreditBalance>("billingBalance"),
  transactions: (q: LedgerQuery) =>
    call<CreditTransactionPage>("billingTransactions", {
      query: {
        site_id: q.siteId,
        run_id: q.runId,
        operation: q.operation,
        transaction_type: q.type,
        page: q.page,
        page_size: q.pageSize,
      },
    }),
  runs: (siteId: number | null, page = 1, pageSize = 20) =>
    call<RunCreditsPage>("billingRuns", { query: { site_id: siteId, page, page_size: pageSize } }),
  /** The account's AI usage for the last `months` calendar months that had AI requests. */
  usage: (months = 12) => call<AIUsage>("billingUsage", { query: { months } }),
  grant: (amount: string, note: string) => call<GrantResult>("billingGrant", { body: { amount, note } }),
  aiBudget: (siteId: number) => call<AIBudget>("aiBudget", { params: { site_id: siteId } }),
  updateAiBudget: (siteId: number, body: Partial<AIBudgetInput>) =>
    call<AIBudget>("aiBudgetUpdate", { params: { site_id: siteId }, body }),
};

// Run-level actions send both ids: the API accepts run_id and scopes it by site. A run's own
// page sends the run id alone (null site): the account scopes it, whichever site is selected.
const runQuery = (siteId: number | null, runId?: string) => ({ site_id: siteId, run_id: runId });

export const automation = {
  stages: () => call<StageDescription[]>("automationStages"),
  config: (siteId: number) => call<AutomationConfig>("automationConfig", { query: { site_id: siteId } }),
  updateConfig: (siteId: number, body: Partial<AutomationConfigInput>) =>
    call<AutomationConfig>("automationUpdateConfig", { query: { site_id: siteId }, body }),
  runNow: (siteId: number) =>
    call<RunStarted>("automationRunNow", {
      query: { site_id: siteId },
      body: {},
    }),
  currentRun: (siteId: number) => call<CurrentRun>("automationCurrentRun", { query: { site_id: siteId } }),
  pipelineOverview: (siteId: number) =>
    call<PipelineOverview>("automationPipelineOverview", { query: { site_id: siteId } }),
  /** The batch in flight, or null between batches. */
  currentProcessing: async (siteId: number, runId?: string) =>
    (
      await call<CurrentProcessingAnswer>("automationCurrentProcessing", {
        query: runQuery(siteId, runId),
      })
    ).processing,
  runProgress: (siteId: number | null, runId?: string) =>
    call<RunProgress>("automationRunProgress", { query: runQuery(siteId, runId) }),
  pause: (siteId: number, runId: string) =>
    call<RunTransition>("automationPause", { query: runQuery(siteId, runId), body: {} }),
  resume: (siteId: number, runId: string) =>
    call<RunTransition>("automationResume", { query: runQuery(siteId, runId), body: {} }),
  cancel: (siteId: number, runId: string) =>
    call<RunTransition>("automationCancel", { query: runQuery(siteId, runId), body: {} }),
  /** The site's latest runs; the filters narrow them on the server (status, trigger, from a date). */
  history: async (siteId: number, filters: { status?: string; trigger?: string; since?: string } = {}) =>
    (
      await call<RunHistoryList>("automationHistory", {
        query: {
          site_id: siteId,
          status: filters.status,
          trigger: filters.trigger,
          date_from: filters.since,
        },
      })
    ).runs,
  logs: (siteId: number | null, runId: string, lines: number) =>
    call<RunLog>("automationLogs", { query: { ...runQuery(siteId, runId), lines } }),
  estimate: (siteId: number) => call<Estimate>("automationEstimate", { query: { site_id: siteId } }),
  metrics: (siteId: number) =>
    call<RunMetrics>("automationMetrics", { query: { site_id: siteId, weeks: 8 } }),
  runDetail: (runId: string) => call<RunDetail>("automationRunDetail", { query: { run_id: runId } }),
  retryFailed: (siteId: number, body: RetryRequest = {}) =>
    call<RetryResult>("automationRetryFailed", { query: { site_id: siteId }, body }),
};

export interface ListQuery {
  siteId: number;
  status?: string;
  search?: string;
  page: number;
  pageSize: number;
}

const listQuery = (q: ListQuery) => ({
  site_id: q.siteId,
  status: q.status,
  search: q.search,
  page: q.page,
  page_size: q.pageSize,
});

export const planner = {
  keywords: (q: ListQuery) => call<KeywordPage>("keywords", { query: listQuery(q) }),
  clusters: (q: ListQuery) => call<ClusterPage>("clusters", { query: listQuery(q) }),
  ideas: (q: ListQuery) => call<IdeaPage>("ideas", { query: listQuery(q) }),
  importKeywords: (siteId: number, file: File) => {
    const form = new FormData();
    form.append("file", file);
    return call<ImportResult>("keywordsImport", { query: { site_id: siteId }, body: form });
  },
};

export const writer = {
  tasks: (q: ListQuery) => call<TaskPage>("tasks", { query: listQuery(q) }),
  content: (siteId: number, status: string, page = 1, pageSize = 50) =>
    call<ContentPage>("content", {
      query: { site_id: siteId, status, page, page_size: pageSize },
    }),
  contentDetail: (id: number) => call<ContentItem>("contentDetail", { params: { id } }),
  approve: (id: number) => call<ContentSummary>("contentApprove", { params: { id }, body: {} }),
  bulkApprove: (ids: number[]) => call<ContentSummary[]>("contentBulkApprove", { body: { ids } }),
  update: (id: number, body: ContentEdit) => call<ContentItem>("contentUpdate", { params: { id }, body }),
  reject: (id: number, body: ContentReject) => call<ContentItem>("contentReject", { params: { id }, body }),
};

export const publishing = {
  settings: (siteId: number) =>
    call<PublishingSettings>("publishingSettings", { query: { site_id: siteId } }),
  updateSettings: (siteId: number, body: Partial<PublishingSettingsInput>) =>
    call<PublishingSettings>("publishingSettingsUpdate", { query: { site_id: siteId }, body }),
  queue: (siteId: number) => call<QueueResponse>("publishingQueue", { query: { site_id: siteId } }),
  wordpress: (siteId: number) =>
    call<WordPressConnection>("publishingWordpress", { query: { site_id: siteId } }),
  saveWordpress: (siteId: number, body: WordPressConnectionInput) =>
    call<WordPressConnection>("publishingWordpressUpdate", { query: { site_id: siteId }, body }),
  testWordpress: (siteId: number) =>
    call<WordPressTest>("publishingWordpressTest", {
      query: { site_id: siteId },
      body: {},
    }),
};

export const notifications = {
  get: (siteId: number) => call<NotificationSettings>("notifications", { params: { site_id: siteId } }),
  update: (siteId: number, body: NotificationUpdate) =>
    call<NotificationSettings>("notificationsUpdate", { params: { site_id: siteId }, body }),
  test: (siteId: number, urls?: string[]) =>
    call<NotificationTestResult>("notificationsTest", {
      params: { site_id: siteId },
      body: urls ? { urls } : {},
    }),
};
