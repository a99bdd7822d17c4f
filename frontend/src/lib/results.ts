// A stage result as the dashboard shows it; the stage table itself comes from the API (useStages).
import type { StageDescription, StageResult } from "../api/models";
import { formatCredits, formatTokens, formatUsd, tokenSplit } from "./format";

const COMMON_FIELDS: Array<[string, string]> = [
  ["items_failed", "Failed items"],
  ["batches_run", "Batches"],
  ["credits_used", "Credits used"],
  // Not keys of the tally: the provider's usage, shown when the stage made AI calls.
  ["tokens", "Tokens"],
  ["provider_cost", "Provider cost"],
  ["time_elapsed", "Time"],
];

/** A row: label, value, and optionally what the value is made of (a tooltip). */
export type ResultRow = [label: string, value: string, hint?: string];

/** Whether the stage called an AI provider: it has tokens or a provider bill (images may have no tokens). */
function madeAiCalls(result: StageResult): boolean {
  const tokens = (asNumber(result.prompt_tokens) ?? 0) + (asNumber(result.completion_tokens) ?? 0);
  return tokens > 0 || (asNumber(result.provider_cost) ?? 0) > 0;
}

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

/** Label/value rows for a stage result; zero failures, empty values and the provider's usage
 * of a stage without AI calls are left out. */
export function resultRows(stage: StageDescription, result: StageResult | null | undefined): ResultRow[] {
  if (!result) return [];
  const rows: ResultRow[] = [];
  const ai = madeAiCalls(result);
  const fields: Array<[string, string]> = stage.stats.map(({ key, label }) => [key, label]);
  // The stats keys come from the stage table (a string each), so the tally is read by name.
  const values: Record<string, unknown> = result;
  for (const [key, label] of [...fields, ...COMMON_FIELDS]) {
    if (key === "tokens") {
      if (ai)
        rows.push([
          label,
          formatTokens(result.prompt_tokens, result.completion_tokens),
          tokenSplit(result.prompt_tokens, result.completion_tokens),
        ]);
      continue;
    }
    if (key === "provider_cost") {
      if (ai) rows.push([label, formatUsd(result.provider_cost), "What the AI provider bills, USD"]);
      continue;
    }
    const value = values[key];
    if (value === undefined || value === null || value === "") continue;
    if (key === "items_failed" && asNumber(value) === 0) continue;
    if (key === "credits_used") {
      rows.push([label, asNumber(value) === null ? String(value) : formatCredits(asNumber(value))]);
      continue;
    }
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
  return result?.reason || null;
}

export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export { asNumber };
