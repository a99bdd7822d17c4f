import { describe, expect, it } from "vitest";
import type { AutomationRun } from "../api/models";
import { filterRuns, NO_FILTERS } from "./history";

const run = (id: string, status: AutomationRun["status"], trigger: "manual" | "scheduled", started: string) =>
  ({
    run_id: id,
    status,
    trigger_type: trigger,
    started_at: started,
    current_stage: 7,
    total_credits_used: "0",
  }) as AutomationRun;

const RUNS = [
  run("a", "completed", "manual", "2026-01-03T10:00:00"),
  run("b", "failed", "scheduled", "2026-01-02T02:00:00"),
  run("c", "cancelled", "manual", "2026-01-01T09:00:00"),
];

describe("filterRuns", () => {
  it("keeps every run without filters", () => {
    expect(filterRuns(RUNS, NO_FILTERS)).toHaveLength(3);
  });
  it("filters by status, trigger and start date together", () => {
    expect(filterRuns(RUNS, { ...NO_FILTERS, status: "failed" }).map((r) => r.run_id)).toEqual(["b"]);
    expect(filterRuns(RUNS, { ...NO_FILTERS, trigger: "manual" }).map((r) => r.run_id)).toEqual(["a", "c"]);
    expect(filterRuns(RUNS, { ...NO_FILTERS, since: "2026-01-02" }).map((r) => r.run_id)).toEqual(["a", "b"]);
    expect(filterRuns(RUNS, { status: "completed", trigger: "scheduled", since: "" })).toEqual([]);
  });
});
