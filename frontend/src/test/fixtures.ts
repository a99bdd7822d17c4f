// Complete API objects for tests, typed by the generated schema: a test overrides what it is
// about, and a field the API adds or drops shows up here at compile time.
import type {
  AutomationConfig,
  AutomationRun,
  ContentItem,
  Estimate,
  GlobalProgressData,
  ImageItem,
  PublishingSettings,
  RunHistory,
  Site,
  StageDescription,
} from "../api/models";

export function aRun(overrides: Partial<AutomationRun> = {}): AutomationRun {
  return {
    run_id: "run_20260105_140523_manual_3f9a",
    site_id: 1,
    status: "running",
    current_stage: 1,
    trigger_type: "manual",
    started_at: "2026-01-05T14:05:23Z",
    paused_at: null,
    resumed_at: null,
    cancelled_at: null,
    completed_at: null,
    total_credits_used: "0.00",
    prompt_tokens: 0,
    completion_tokens: 0,
    provider_cost: "0",
    stage_1_result: {},
    stage_2_result: {},
    stage_3_result: {},
    stage_4_result: {},
    stage_5_result: {},
    stage_6_result: {},
    stage_7_result: {},
    error_message: "",
    stopped_reason: "",
    initial_snapshot: {},
    recovery_count: 0,
    claimed_at: "2026-01-05T14:05:24Z",
    waiting_for_worker: false,
    ...overrides,
  };
}

export function aHistoryRun(overrides: Partial<RunHistory> = {}): RunHistory {
  return {
    run_id: "run_20260105_140523_manual_3f9a",
    status: "completed",
    trigger_type: "manual",
    current_stage: 7,
    started_at: "2026-01-05T14:05:23Z",
    completed_at: "2026-01-05T14:15:23Z",
    cancelled_at: null,
    total_credits_used: "0.00",
    prompt_tokens: 0,
    completion_tokens: 0,
    provider_cost: "0",
    stopped_reason: "",
    error_message: "",
    ...overrides,
  };
}

export function anEstimate(overrides: Partial<Estimate> = {}): Estimate {
  return {
    estimated_credits: "42.00",
    required: "50.40",
    current_balance: "100.00",
    sufficient: true,
    breakdown: [],
    allocation: {},
    max_credits_per_run: "0.00",
    images_off: "",
    ratios: {
      projected_clusters: 0,
      cluster_factor: { value: "1.20", source: "default" },
      ideas_per_cluster: { value: "3.00", source: "default" },
      words_per_article: { value: "1250.00", source: "default" },
      images_per_article: { value: "4.00", source: "default" },
    },
    ...overrides,
  };
}

export function aGlobalProgress(overrides: Partial<GlobalProgressData> = {}): GlobalProgressData {
  return {
    total_items: 0,
    completed_items: 0,
    remaining_items: 0,
    percentage: 0,
    eta_seconds: null,
    waiting_for_worker: false,
    finished: false,
    ...overrides,
  };
}

export function anImage(overrides: Partial<ImageItem> = {}): ImageItem {
  return {
    id: 1,
    site: 1,
    content: 1,
    image_type: "in_article",
    position: 1,
    prompt: "",
    alt_text: "",
    url: null,
    thumbnail_url: null,
    width: null,
    height: null,
    status: "pending",
    error_message: "",
    created_at: "2026-01-05T14:05:23Z",
    updated_at: "2026-01-05T14:05:23Z",
    ...overrides,
  };
}

export function aContent(overrides: Partial<ContentItem> = {}): ContentItem {
  return {
    id: 1,
    site: 1,
    task: 1,
    cluster: null,
    title: "",
    slug: "",
    meta_title: "",
    meta_description: "",
    quality: null,
    internal_links: [],
    word_count: 0,
    status: "review",
    approved_at: null,
    rejected_at: null,
    rejection_reason: "",
    site_status: "not_published",
    scheduled_publish_at: null,
    published_at: null,
    external_url: "",
    featured_image: null,
    created_at: "2026-01-05T14:05:23Z",
    updated_at: "2026-01-05T14:05:23Z",
    html_content: "",
    schema_json: {},
    publish_error: "",
    images: [],
    ...overrides,
  };
}

export function publishingSettings(overrides: Partial<PublishingSettings> = {}): PublishingSettings {
  return {
    site_id: 1,
    auto_approval_enabled: false,
    auto_publish_enabled: false,
    scheduling_mode: "time_slots",
    publish_days: ["mon", "tue"],
    publish_time_slots: ["09:00"],
    stagger_start_time: "09:00",
    stagger_end_time: "18:00",
    stagger_interval_minutes: 60,
    daily_target: 3,
    weekly_target: 15,
    monthly_target: 60,
    queue_limit: 10,
    min_quality_score: 0,
    ...overrides,
  };
}

/** Stage 1 as `GET /automation/stages/` describes it; override for another stage. */
export function aStageDescription(overrides: Partial<StageDescription> = {}): StageDescription {
  return {
    number: 1,
    name: "Keywords → Clusters",
    kind: "AI",
    function: "auto_cluster",
    consumes: "keywords",
    produces: "clusters",
    processed_key: "keywords_processed",
    created_key: "clusters_created",
    stats: [{ key: "clusters_created", label: "Clusters created" }],
    ...overrides,
  };
}

export function aSite(overrides: Partial<Site> = {}): Site {
  return {
    id: 1,
    name: "Coffee Blog",
    domain: "coffee.example.com",
    timezone: "UTC",
    language: "English",
    topic: "",
    tone: "friendly, expert",
    in_article_images: 2,
    audience: "",
    brand_voice: "",
    avoid_terms: "",
    duplicate_threshold: 85,
    generate_images: true,
    is_active: true,
    created_at: "2026-01-05T14:05:23Z",
    updated_at: "2026-01-05T14:05:23Z",
    ...overrides,
  };
}

export function anAutomationConfig(overrides: Partial<AutomationConfig> = {}): AutomationConfig {
  return {
    is_enabled: true,
    frequency: "daily",
    scheduled_time: "02:00:00",
    stage_1_batch_size: 20,
    stage_2_batch_size: 1,
    stage_3_batch_size: 20,
    stage_4_batch_size: 1,
    stage_5_batch_size: 1,
    stage_6_batch_size: 1,
    within_stage_delay: 3,
    between_stage_delay: 5,
    max_concurrency: 4,
    stage_1_enabled: true,
    stage_2_enabled: true,
    stage_3_enabled: true,
    stage_4_enabled: true,
    stage_5_enabled: true,
    stage_6_enabled: true,
    stage_7_enabled: true,
    max_keywords_per_run: 0,
    max_clusters_per_run: 0,
    max_ideas_per_run: 0,
    max_tasks_per_run: 0,
    max_content_per_run: 0,
    max_images_per_run: 0,
    max_approvals_per_run: 0,
    max_credits_per_run: "0.00",
    clustering_method: "ai",
    last_run_at: null,
    next_run_at: "2026-01-06T02:00:00Z",
    ...overrides,
  };
}
