// Shapes of the REST API (see /api/v1/schema/ and docs/dashboard.md). Decimal amounts
// arrive as strings or numbers depending on the endpoint, hence `Decimalish`.
export type Decimalish = string | number;

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Me {
  id: number;
  username: string;
  email: string;
  is_staff?: boolean;
  account: { id: number; name: string; credits_balance: Decimalish };
}

export interface Site {
  id: number;
  name: string;
  domain: string;
  timezone?: string;
  language?: string;
  topic?: string;
  tone?: string;
  in_article_images?: number;
  is_active?: boolean;
  /** The site brief (present once the sites API carries it). */
  audience?: string;
  brand_voice?: string;
  avoid_terms?: string;
  created_at?: string;
}

export type SiteInput = Omit<Site, "id" | "created_at">;

// --- automation -------------------------------------------------------------------

export type RunStatus = "running" | "paused" | "cancelled" | "completed" | "failed";
export type StageType = "AI" | "Local" | "Manual";
export type StageStatus =
  "waiting" | "pending" | "running" | "paused" | "completed" | "skipped" | "partial" | "failed" | "cancelled";

export type StageResult = Record<string, unknown>;

/** One pipeline stage as the API describes it (GET /api/v1/automation/stages/). */
export interface StageDescription {
  number: number;
  name: string;
  kind: StageType;
  function: string | null;
  consumes: string;
  produces: string;
  processed_key: string;
  created_key: string;
  stats: Array<{ key: string; label: string }>;
}

export interface AutomationRun {
  run_id: string;
  status: RunStatus;
  current_stage: number | null;
  trigger_type: "manual" | "scheduled";
  started_at: string | null;
  paused_at?: string | null;
  resumed_at?: string | null;
  cancelled_at?: string | null;
  completed_at?: string | null;
  total_credits_used: Decimalish;
  // Tokens and what the AI provider bills (USD decimal string), summed over the stages.
  prompt_tokens?: number;
  completion_tokens?: number;
  provider_cost?: Decimalish;
  stage_1_result?: StageResult | null;
  stage_2_result?: StageResult | null;
  stage_3_result?: StageResult | null;
  stage_4_result?: StageResult | null;
  stage_5_result?: StageResult | null;
  stage_6_result?: StageResult | null;
  stage_7_result?: StageResult | null;
  error_message?: string | null;
  stopped_reason?: string | null;
  initial_snapshot?: InitialSnapshot | null;
  /** When a worker took the run (null: nobody has yet); absent from older servers. */
  claimed_at?: string | null;
  /** True while a running run has not been picked up by a worker (the server's word). */
  waiting_for_worker?: boolean;
}

export type InitialSnapshot = Record<string, number | unknown>;

export interface PipelineStage {
  number: number;
  name: string;
  type: StageType;
  pending: number;
}

export interface ProgressStage {
  number: number;
  name?: string;
  status?: string;
  input_count?: number;
  processed_count?: number;
  /** Items of this stage still left in this run (the server's count). */
  remaining_count?: number;
  result?: StageResult | null;
}

export interface GlobalProgressData {
  total_items: number;
  completed_items: number;
  percentage: number;
  /** Seconds left, from the run's observed per-stage rates (null: not known yet). */
  eta_seconds?: number | null;
  remaining_items?: number;
  /** True for every run that is over. */
  finished?: boolean;
}

export interface RunProgress {
  run: AutomationRun | null;
  global_progress?: GlobalProgressData;
  stages: ProgressStage[];
  metrics?: { credits_used: Decimalish; duration_seconds: number };
  initial_snapshot?: InitialSnapshot | null;
}

export interface CurrentProcessing {
  stage: number;
  stage_name: string;
  batch: number;
  total_batches: number;
  items: Array<{ id?: number; title?: string; name?: string } | string>;
}

export interface EstimateBreakdown {
  stage: number;
  name: string;
  items: number;
  credits: Decimalish;
}

export interface Estimate {
  estimated_credits: Decimalish;
  required: Decimalish;
  current_balance: Decimalish;
  sufficient: boolean;
  breakdown?: EstimateBreakdown[];
  allocation?: Record<string, unknown>;
}

export interface AutomationConfig {
  is_enabled: boolean;
  frequency: "daily" | "weekly" | "monthly";
  scheduled_time: string;
  stage_1_batch_size: number;
  stage_2_batch_size: number;
  stage_3_batch_size: number;
  stage_4_batch_size: number;
  stage_5_batch_size: number;
  stage_6_batch_size: number;
  within_stage_delay: number;
  between_stage_delay: number;
  max_concurrency: number;
  stage_1_enabled: boolean;
  stage_2_enabled: boolean;
  stage_3_enabled: boolean;
  stage_4_enabled: boolean;
  stage_5_enabled: boolean;
  stage_6_enabled: boolean;
  stage_7_enabled: boolean;
  max_keywords_per_run: number;
  max_clusters_per_run: number;
  max_ideas_per_run: number;
  max_tasks_per_run: number;
  max_content_per_run: number;
  max_images_per_run: number;
  max_approvals_per_run: number;
  max_credits_per_run: Decimalish;
  last_run_at?: string | null;
  next_run_at?: string | null;
}

export interface FailedItem {
  stage: number;
  item_type: "keyword" | "cluster" | "task" | "content" | "image";
  id: number;
  title: string;
  error: string;
  code: string;
  attempts: number;
  /** > 0: a later run retries it on its own. */
  retries_left: number;
  failed_at: string;
  /** What the failure leaves missing downstream. */
  missing: string;
  run_id: string | null;
}

export interface RunDetail {
  run: AutomationRun & { site_id: number };
  failed_items: FailedItem[];
  failed_items_count: number;
  /** Items still pending per stage now ({"stage_1": n, …}). */
  remaining: Record<string, number>;
}

export interface RetryResult {
  requeued: Record<string, number>;
  total: number;
}

export interface RunLog {
  run_id: string;
  lines: number;
  log: string;
}

// --- planner / writer ---------------------------------------------------------------

export interface Keyword {
  id: number;
  keyword: string;
  volume: number;
  difficulty: number;
  intent: string;
  status: string;
  cluster: number | null;
  cluster_name?: string | null;
  disabled?: boolean;
}

export interface Cluster {
  id: number;
  name: string;
  description: string;
  keywords_count: number;
  status: string;
}

export interface Idea {
  id: number;
  idea_title: string;
  content_structure: string;
  cluster_name: string | null;
  status: string;
  task: number | null;
}

export interface Task {
  id: number;
  title: string;
  content_structure: string;
  cluster_name: string | null;
  status: string;
  error_message: string;
  content: number | null;
}

export interface ImportResult {
  created: number;
  duplicates: number;
  errors: Array<{ row: number; message: string }>;
}

export interface ImageItem {
  id: number;
  image_type: "featured" | "in_article";
  position: number;
  status: string;
  url?: string | null;
  thumbnail_url?: string | null;
  alt_text?: string;
  prompt?: string;
}

export interface QualityCheck {
  name: string;
  passed: boolean;
  detail?: string;
}

/** The local quality checks of a draft (present once the content API returns them). */
export interface ContentQuality {
  score: number;
  checks: QualityCheck[];
}

export interface ContentItem {
  id: number;
  title: string;
  status: string;
  word_count: number;
  meta_title?: string;
  meta_description?: string;
  slug?: string;
  quality?: ContentQuality | Record<string, never> | null;
  rejection_reason?: string;
  site_status?: string;
  created_at?: string;
  featured_image?: ImageItem | null;
  html_content?: string;
  images?: ImageItem[];
}

/** The fields an editor may change while the content is not published. */
export interface ContentEdit {
  title: string;
  html_content: string;
  meta_title: string;
  meta_description: string;
  slug: string;
}

// --- publishing / budget -------------------------------------------------------------

export type SchedulingMode = "time_slots" | "stagger" | "immediate";

export interface PublishingSettings {
  auto_approval_enabled: boolean;
  auto_publish_enabled: boolean;
  scheduling_mode: SchedulingMode;
  publish_days: string[];
  publish_time_slots: string[];
  stagger_start_time: string;
  stagger_end_time: string;
  stagger_interval_minutes: number;
  daily_target: number;
  weekly_target: number;
  monthly_target: number;
  queue_limit: number;
}

export interface QueueResponse {
  results: QueueItem[];
  scheduled_count?: number;
  queue_limit?: number;
}

export interface WordPressConnection {
  configured: boolean;
  url: string;
  username: string;
  has_password: boolean;
  is_active: boolean;
  last_tested_at: string | null;
  last_test_ok: boolean | null;
  last_test_error: string;
}

export interface QueueItem {
  id: number;
  title: string;
  site_status: string;
  scheduled_publish_at: string | null;
  external_url: string;
  publish_error: string;
}

export interface CreditTransaction {
  id: number;
  site: number | null;
  transaction_type: string;
  operation: string;
  amount: Decimalish;
  balance_after: Decimalish;
  description: string;
  metadata: Record<string, unknown>;
  created_at: string;
  /** The run that was charged, when the ledger row carries it. */
  run_id?: string | null;
}

export interface RunCredits {
  id: number;
  run_id: string;
  site_id: number;
  status: RunStatus;
  trigger_type: "manual" | "scheduled";
  started_at: string | null;
  completed_at: string | null;
  credits_used: Decimalish;
  stages: Array<{ stage: number; name: string; operation: string; credits: Decimalish }>;
}

export interface GrantResult {
  transaction: CreditTransaction;
  credits_balance: Decimalish;
}

export interface RunMetrics {
  weeks: Array<{ week_start: string; runs: number; completed: number; failed: number; cancelled: number }>;
  runs_total: number;
  completed: number;
  failed: number;
  /** completed / (completed + failed), 0-1; null without such runs. */
  success_rate: number | null;
  average_credits_per_run: Decimalish | null;
  average_stage_seconds: Array<{ stage: number; name: string; runs: number; average_seconds: number | null }>;
}

export const BUDGET_OPERATIONS = [
  "clustering",
  "idea_generation",
  "content_generation",
  "image_prompt_extraction",
  "image_generation",
] as const;
export type BudgetOperation = (typeof BUDGET_OPERATIONS)[number];

export type BudgetShares = Record<BudgetOperation, Decimalish>;

export interface AIBudget extends BudgetShares {
  use_global_defaults: boolean;
  effective?: Partial<BudgetShares>;
}

// --- notifications --------------------------------------------------------------------

export interface NotificationSettings {
  site_id: number;
  /** Stored targets, their secrets masked. */
  targets: Array<{ url: string; service: string }>;
  events: string[];
  available_events: Array<{ event: string; label: string }>;
  last_sent_at: string | null;
  last_error: string;
}

export interface NotificationTestResult {
  sent: number;
  failed: number;
  results: Array<{ url: string; service: string; ok: boolean; error?: string }>;
}
