import { describe, expect, it } from "vitest";
import type { AutomationRun } from "../api/models";
import { aRun } from "../test/fixtures";
import {
  controlStates,
  normalizeStageStatus,
  nothingToProcess,
  pollInterval,
  POLL_ACTIVE_MS,
  POLL_IDLE_MS,
  liveDuration,
  stageStatus,
  stopSeverity,
  workerState,
} from "./run";

const makeRun = (overrides: Partial<AutomationRun> = {}): AutomationRun => aRun(overrides);

describe("stageStatus", () => {
  it("shows every stage waiting when there is no run", () => {
    expect(stageStatus(null, 1)).toBe("waiting");
    expect(stageStatus(undefined, 7, "completed")).toBe("waiting");
  });

  it("derives running / completed / waiting from the current stage", () => {
    const run = makeRun({
      current_stage: 3,
      stage_1_result: { keywords_processed: 20 },
      stage_2_result: { clusters_processed: 4 },
    });
    expect(stageStatus(run, 1)).toBe("completed");
    expect(stageStatus(run, 2)).toBe("completed");
    expect(stageStatus(run, 3)).toBe("running");
    expect(stageStatus(run, 4)).toBe("waiting");
  });

  it("reads skipped and partial from saved results", () => {
    const run = makeRun({
      current_stage: 4,
      stage_1_result: { skipped: true },
      stage_2_result: { partial: true, clusters_processed: 2 },
    });
    expect(stageStatus(run, 1)).toBe("skipped");
    expect(stageStatus(run, 2)).toBe("partial");
  });

  it("prefers the server's per-stage status and understands its synonyms", () => {
    const run = makeRun({ current_stage: 2 });
    expect(stageStatus(run, 5, "complete")).toBe("completed");
    expect(stageStatus(run, 2, "active")).toBe("running");
    expect(stageStatus(run, 3, "pending")).toBe("waiting");
    expect(stageStatus(run, 4, "something-new")).toBe("waiting");
  });

  it("marks the stage a run stopped at as paused, cancelled or failed", () => {
    expect(stageStatus(makeRun({ status: "paused", current_stage: 4 }), 4, "running")).toBe("paused");
    expect(stageStatus(makeRun({ status: "paused", current_stage: 4 }), 3, "completed")).toBe("completed");
    expect(stageStatus(makeRun({ status: "paused", current_stage: 4 }), 5)).toBe("waiting");
    expect(stageStatus(makeRun({ status: "cancelled", current_stage: 2 }), 2)).toBe("cancelled");
    expect(stageStatus(makeRun({ status: "failed", current_stage: 6 }), 6, "running")).toBe("failed");
  });

  it("never shows a stage of a finished run as running", () => {
    const done = makeRun({ status: "completed", current_stage: 7, stage_7_result: { ready_for_review: 3 } });
    expect(stageStatus(done, 7, "running")).toBe("completed");
    expect(stageStatus(done, 7)).toBe("completed");
    // a stage with no result in a completed run was skipped (disabled or nothing to do)
    expect(stageStatus(makeRun({ status: "completed", current_stage: 7 }), 6)).toBe("completed");
    expect(stageStatus(makeRun({ status: "completed", current_stage: 7 }), 7)).toBe("skipped");
  });

  it("normalizes unknown words to null", () => {
    expect(normalizeStageStatus("DONE")).toBe("completed");
    expect(normalizeStageStatus("")).toBeNull();
    expect(normalizeStageStatus("weird")).toBeNull();
  });
});

describe("controlStates", () => {
  it("allows only Run Now without an active run", () => {
    expect(controlStates(null)).toEqual({ runNow: true, pause: false, resume: false, cancel: false });
    for (const status of ["completed", "cancelled", "failed"] as const) {
      expect(controlStates({ status })).toEqual({ runNow: true, pause: false, resume: false, cancel: false });
    }
  });

  it("allows Pause and Cancel while running, Resume and Cancel while paused", () => {
    expect(controlStates({ status: "running" })).toEqual({
      runNow: false,
      pause: true,
      resume: false,
      cancel: true,
    });
    expect(controlStates({ status: "paused" })).toEqual({
      runNow: false,
      pause: false,
      resume: true,
      cancel: true,
    });
  });

  it("disables everything while a request is in flight", () => {
    expect(controlStates({ status: "running" }, true)).toEqual({
      runNow: false,
      pause: false,
      resume: false,
      cancel: false,
    });
  });
});

describe("pollInterval", () => {
  it("polls fast while running or paused, slowly when idle, never when hidden", () => {
    expect(pollInterval("running", true)).toBe(POLL_ACTIVE_MS);
    expect(pollInterval("paused", true)).toBe(POLL_ACTIVE_MS);
    expect(pollInterval("completed", true)).toBe(POLL_IDLE_MS);
    expect(pollInterval(undefined, true)).toBe(POLL_IDLE_MS);
    expect(pollInterval("running", false)).toBe(false);
    expect(POLL_ACTIVE_MS).toBeLessThan(POLL_IDLE_MS);
  });
});

describe("nothingToProcess", () => {
  const stages = (pending: number[]) => pending.map((n, i) => ({ number: i + 1, pending: n }));
  it("is true only when stages 1–6 are all empty (drafts waiting in review do not count)", () => {
    expect(nothingToProcess(stages([0, 0, 0, 0, 0, 0, 37]))).toBe(true);
    expect(nothingToProcess(stages([2, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(nothingToProcess(stages([0, 0, 0, 0, 0, 3, 0]))).toBe(false);
  });
  it("is false while the pipeline is unknown", () => {
    expect(nothingToProcess(undefined)).toBe(false);
    expect(nothingToProcess([])).toBe(false);
  });
});

describe("workerState", () => {
  const t0 = Date.parse("2026-01-01T10:00:00Z");
  // What the server sends for a running run no worker has taken yet.
  const fresh = makeRun({
    status: "running",
    current_stage: 1,
    started_at: "2026-01-01T10:00:00Z",
    claimed_at: null,
    waiting_for_worker: true,
  });
  const taken = { claimed_at: "2026-01-01T10:00:01Z", waiting_for_worker: false };
  it("says a fresh run waits for a worker from the first second, and calls it missing after the grace period", () => {
    expect(workerState(fresh, null, t0 + 1_000)).toBe("waiting");
    expect(workerState(fresh, null, t0 + 31_000)).toBe("missing");
  });
  it("is claimed once a worker shows signs of life, or when the run is not running", () => {
    expect(workerState(fresh, { stage: 1, batch: 1 }, t0 + 60_000)).toBe("claimed");
    const working = makeRun({ ...fresh, ...taken, stage_1_result: { keywords_processed: 3 } });
    expect(workerState(working, null, t0 + 60_000)).toBe("claimed");
    expect(workerState(makeRun({ ...fresh, status: "paused" }), null, t0 + 60_000)).toBe("claimed");
  });
  it("trusts the server's waiting_for_worker", () => {
    expect(workerState(makeRun({ ...fresh, ...taken }), null, t0 + 2_000)).toBe("claimed");
    // A recovered run keeps its old results but has no worker: claimed_at says so.
    const recovered = makeRun({ ...fresh, claimed_at: null, stage_1_result: { keywords_processed: 3 } });
    expect(workerState(recovered, null, t0 + 2_000)).toBe("waiting");
    expect(workerState(makeRun({ ...fresh, waiting_for_worker: true }), null, t0 + 40_000)).toBe("missing");
    expect(workerState(makeRun({ ...fresh, ...taken }), null, t0 + 40_000)).toBe("claimed");
  });
});

describe("stopSeverity", () => {
  it("reads failed as an error, paused and cancelled as warnings, completed as success", () => {
    expect(stopSeverity("failed")).toBe("error");
    expect(stopSeverity("paused")).toBe("warning");
    expect(stopSeverity("cancelled")).toBe("warning");
    expect(stopSeverity("completed")).toBe("success");
    expect(stopSeverity("running")).toBe("info");
  });
});

describe("liveDuration", () => {
  it("adds the seconds since the poll while running, and stays put otherwise", () => {
    expect(liveDuration(10, 1_000, true, 4_500)).toBe(13);
    expect(liveDuration(10, 1_000, false, 60_000)).toBe(10);
    expect(liveDuration(undefined, 1_000, true, 4_500)).toBeUndefined();
  });
});
