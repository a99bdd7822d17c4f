// Client-side checks of the automation configuration form. The server validates again;
// its field errors are shown beside the same fields.
import type { AutomationConfig, ClusteringMethod } from "../api/models";
import type { FieldErrors } from "./errors";

export const BATCH_FIELDS = [1, 2, 3, 4, 5, 6].map((n) => `stage_${n}_batch_size`) as Array<
  keyof AutomationConfig
>;
export const STAGE_TOGGLES = [1, 2, 3, 4, 5, 6, 7].map((n) => `stage_${n}_enabled`) as Array<
  keyof AutomationConfig
>;
export const LIMIT_FIELDS: Array<[keyof AutomationConfig, string]> = [
  ["max_keywords_per_run", "Keywords per run"],
  ["max_clusters_per_run", "Clusters per run"],
  ["max_ideas_per_run", "Ideas per run"],
  ["max_tasks_per_run", "Tasks per run"],
  ["max_content_per_run", "Content per run"],
  ["max_images_per_run", "Images per run"],
  ["max_approvals_per_run", "Approvals per run"],
  ["max_credits_per_run", "Credits per run"],
];

/** The choices of clustering_method, as the form's select offers them. */
export const CLUSTERING_METHODS: Array<[ClusteringMethod, string]> = [
  ["ai", "AI: the text model groups the keywords (uses credits)"],
  ["local", "Local: grouped by shared words, no AI calls (0 credits)"],
];

export const MAX_BATCH = 100;
export const MAX_DELAY_SECONDS = 3600;
export const MAX_CONCURRENCY = 16;

/** The form holds strings while the user types; this is what it holds. */
export type ConfigForm = Record<string, string | boolean>;

export function toForm(config: AutomationConfig): ConfigForm {
  const form: ConfigForm = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "boolean") form[key] = value;
    else if (value === null || value === undefined) form[key] = "";
    else form[key] = key === "scheduled_time" ? String(value).slice(0, 5) : String(value);
  }
  return form;
}

function intIn(value: string | boolean | undefined, min: number, max: number): boolean {
  if (typeof value !== "string" || !/^\d+$/.test(value.trim())) return false;
  const n = Number(value);
  return n >= min && n <= max;
}

export function validateConfig(form: ConfigForm): FieldErrors {
  const errors: FieldErrors = {};
  const add = (key: string, message: string) => (errors[key] = [message]);
  if (!["daily", "weekly", "monthly"].includes(String(form.frequency)))
    add("frequency", "Choose daily, weekly or monthly.");
  if (!CLUSTERING_METHODS.some(([value]) => value === form.clustering_method))
    add("clustering_method", "Choose AI or local clustering.");
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(String(form.scheduled_time ?? "").trim()))
    add("scheduled_time", "Use a 24-hour time like 02:00.");
  for (const key of BATCH_FIELDS) {
    if (!intIn(form[key], 1, MAX_BATCH)) add(key, `A whole number from 1 to ${MAX_BATCH}.`);
  }
  if (!intIn(form.max_concurrency, 1, MAX_CONCURRENCY))
    add("max_concurrency", `A whole number from 1 to ${MAX_CONCURRENCY}.`);
  for (const key of ["within_stage_delay", "between_stage_delay"]) {
    if (!intIn(form[key], 0, MAX_DELAY_SECONDS)) add(key, `Seconds, from 0 to ${MAX_DELAY_SECONDS}.`);
  }
  for (const [key] of LIMIT_FIELDS) {
    const value = String(form[key] ?? "").trim();
    if (key === "max_credits_per_run") {
      if (!/^\d+(\.\d{1,2})?$/.test(value)) add(key, "A number of credits, 0 for unlimited.");
    } else if (!intIn(value, 0, 1_000_000)) add(key, "A whole number, 0 for unlimited.");
  }
  return errors;
}

/** The JSON body of update_config: numbers as numbers, read-only fields left out. */
export function formToPayload(form: ConfigForm): Partial<AutomationConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    if (key === "last_run_at" || key === "next_run_at") continue;
    if (typeof value === "boolean") out[key] = value;
    else if (key === "frequency" || key === "scheduled_time" || key === "clustering_method")
      out[key] = value.trim();
    else if (key === "max_credits_per_run") out[key] = value.trim();
    else if (/^\d+$/.test(value.trim())) out[key] = Number(value);
  }
  return out as Partial<AutomationConfig>;
}
