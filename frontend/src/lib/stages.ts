// The seven pipeline stages as the dashboard shows them (SPEC section 4).
import type { StageResult, StageType } from "../api/types";

export interface StageInfo {
  number: number;
  name: string;
  from: string;
  to: string;
  type: StageType;
  /** result key counting the items this stage consumed (the progress numerator) */
  processedKey: string;
  /** result keys worth showing on the card, in order, with their labels */
  resultFields: Array<[key: string, label: string]>;
}

export const STAGES: StageInfo[] = [
  {
    number: 1,
    name: "Keywords → Clusters",
    from: "keywords",
    to: "clusters",
    type: "AI",
    processedKey: "keywords_processed",
    resultFields: [
      ["keywords_processed", "Keywords processed"],
      ["clusters_created", "Clusters created"],
    ],
  },
  {
    number: 2,
    name: "Clusters → Ideas",
    from: "clusters",
    to: "ideas",
    type: "AI",
    processedKey: "clusters_processed",
    resultFields: [
      ["clusters_processed", "Clusters processed"],
      ["ideas_created", "Ideas created"],
    ],
  },
  {
    number: 3,
    name: "Ideas → Tasks",
    from: "ideas",
    to: "tasks",
    type: "Local",
    processedKey: "ideas_processed",
    resultFields: [
      ["ideas_processed", "Ideas processed"],
      ["tasks_created", "Tasks created"],
    ],
  },
  {
    number: 4,
    name: "Tasks → Content",
    from: "tasks",
    to: "content",
    type: "AI",
    processedKey: "tasks_processed",
    resultFields: [
      ["tasks_processed", "Tasks processed"],
      ["content_created", "Content created"],
      ["total_words", "Words written"],
    ],
  },
  {
    number: 5,
    name: "Content → Image prompts",
    from: "content",
    to: "image prompts",
    type: "AI",
    processedKey: "content_processed",
    resultFields: [
      ["content_processed", "Content processed"],
      ["prompts_created", "Prompts created"],
    ],
  },
  {
    number: 6,
    name: "Image prompts → Images",
    from: "image prompts",
    to: "images",
    type: "AI",
    processedKey: "images_processed",
    resultFields: [
      ["images_processed", "Images processed"],
      ["images_generated", "Images generated"],
    ],
  },
  {
    number: 7,
    name: "Review gate",
    from: "content in review",
    to: "approved",
    type: "Manual",
    processedKey: "approved_count",
    resultFields: [
      ["ready_for_review", "Ready for review"],
      ["approved_count", "Approved"],
      ["scheduled_count", "Scheduled"],
    ],
  },
];

export function stageInfo(number: number): StageInfo {
  const info = STAGES.find((s) => s.number === number);
  if (!info) throw new Error(`unknown stage ${number}`);
  return info;
}

const COMMON_FIELDS: Array<[string, string]> = [
  ["items_failed", "Failed items"],
  ["batches_run", "Batches"],
  ["credits_used", "Credits used"],
  ["time_elapsed", "Time"],
];

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

/** Label/value rows for a stage result; zero failures and empty values are left out. */
export function resultRows(stage: number, result: StageResult | null | undefined): Array<[string, string]> {
  if (!result) return [];
  const rows: Array<[string, string]> = [];
  for (const [key, label] of [...stageInfo(stage).resultFields, ...COMMON_FIELDS]) {
    const value = result[key];
    if (value === undefined || value === null || value === "") continue;
    if (key === "items_failed" && asNumber(value) === 0) continue;
    if (key === "time_elapsed") {
      const seconds = asNumber(value);
      rows.push([label, seconds === null ? String(value) : formatSeconds(seconds)]);
      continue;
    }
    rows.push([label, typeof value === "number" ? value.toLocaleString("en-US") : String(value)]);
  }
  return rows;
}

/** Why a stage ended early or was skipped, when the result says so. */
export function resultReason(result: StageResult | null | undefined): string | null {
  if (!result) return null;
  for (const key of ["reason", "skip_reason", "partial_reason", "stopped_reason", "error"]) {
    const value = result[key];
    if (typeof value === "string" && value) return value;
  }
  return null;
}

export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export { asNumber };
