// Run history filters (status, trigger, started on or after a date), applied to the rows the
// history endpoint answers.
import type { RunHistory } from "../api/models";

export interface HistoryFilters {
  status: string;
  trigger: string;
  /** YYYY-MM-DD, local date: runs started that day or later. */
  since: string;
}

export const NO_FILTERS: HistoryFilters = { status: "", trigger: "", since: "" };

export function filterRuns(runs: RunHistory[], f: HistoryFilters): RunHistory[] {
  const since = f.since ? new Date(`${f.since}T00:00:00`).getTime() : null;
  return runs.filter(
    (run) =>
      (!f.status || run.status === f.status) &&
      (!f.trigger || run.trigger_type === f.trigger) &&
      (since === null || (run.started_at !== null && Date.parse(run.started_at) >= since)),
  );
}
