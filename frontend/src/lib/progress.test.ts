import { describe, expect, it } from "vitest";
import type { AutomationRun, ProgressStage } from "../api/types";
import {
  awaitingWorker,
  controlStates,
  globalProgress,
  normalizeStageStatus,
  nothingToProcess,
  pollInterval,
  POLL_ACTIVE_MS,
  remainingFromBreakdown,
  POLL_IDLE_MS,
  snapshotCount,
  stageStatus,
} from "./progress";

function makeRun(overrides: Partial<AutomationRun> = {}): AutomationRun {
  return {
    run_id: "run_20260105_140523_manual_3f9a",
    status: "running",
    current_stage: 1,
    trigger_type: "manual",
    started_at: "2026-01-05T14:05:23Z",
    total_credits_used: "0",
    initial_snapshot: {},
    ...overrides,
  };
}

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

describe("globalProgress", () => {
  it("is empty without a run", () => {
    expect(globalProgress(null)).toEqual({ completed: 0, total: 0, percentage: 0 });
  });

  it("uses the initial snapshot as the denominator and results as the numerator", () => {
    const run = makeRun({
      current_stage: 1,
      initial_snapshot: {
        stage_1_initial: 40,
        stage_2_initial: 0,
        stage_4_initial: 10,
        total_initial_items: 50,
      },
      stage_1_result: { keywords_processed: 10 },
    });
    // stage 1 is running: 10 of 40 keywords; stage 4 has 10 queued tasks
    expect(globalProgress(run)).toEqual({ completed: 10, total: 50, percentage: 20 });
  });

  it("counts a finished stage as fully done even when per-run limits left items over", () => {
    const run = makeRun({
      current_stage: 2,
      initial_snapshot: { stage_1_initial: 40, stage_2_initial: 10 },
    });
    const stages: ProgressStage[] = [
      { number: 1, status: "completed", input_count: 40, processed_count: 20 },
      { number: 2, status: "running", input_count: 10, processed_count: 5 },
    ];
    expect(globalProgress(run, stages)).toEqual({ completed: 45, total: 50, percentage: 90 });
  });

  it("grows the denominator with items created during the run instead of passing 100%", () => {
    const run = makeRun({ current_stage: 2, initial_snapshot: { stage_1_initial: 20 } });
    const stages: ProgressStage[] = [
      { number: 1, status: "completed", input_count: 20, processed_count: 20 },
      // 5 clusters created by stage 1 were not in the snapshot
      { number: 2, status: "running", input_count: 5, processed_count: 2 },
    ];
    const p = globalProgress(run, stages);
    expect(p.total).toBe(25);
    expect(p.completed).toBe(22);
    expect(p.percentage).toBe(88);
  });

  it("clamps a processed count larger than the stage's size", () => {
    const run = makeRun({ current_stage: 1, initial_snapshot: { stage_1_initial: 10 } });
    const p = globalProgress(run, [{ number: 1, status: "running", input_count: 4, processed_count: 12 }]);
    expect(p.total).toBe(12);
    expect(p.percentage).toBeLessThanOrEqual(99);
  });

  it("reads the snapshot passed by run_progress over the run's own copy", () => {
    const run = makeRun({ current_stage: 1, initial_snapshot: null });
    const p = globalProgress(run, [{ number: 1, status: "running", processed_count: 3 }], {
      stage_1_initial: 12,
    });
    expect(p).toEqual({ completed: 3, total: 12, percentage: 25 });
  });

  it("is 100% for a completed run and 0% for a run with nothing to do", () => {
    const done = makeRun({ status: "completed", current_stage: 7, initial_snapshot: { stage_1_initial: 7 } });
    expect(globalProgress(done).percentage).toBe(100);
    expect(globalProgress(makeRun({ initial_snapshot: {} })).percentage).toBe(0);
  });

  it("counts the work still projected for stages that have not started", () => {
    // stage 1 done (6 keywords -> 2 clusters), stage 2 running; the estimate projects
    // 1 more cluster and the ideas, tasks, content and images that will follow
    const run = makeRun({ current_stage: 2, initial_snapshot: { stage_1_initial: 6 } });
    const stages: ProgressStage[] = [
      { number: 1, status: "completed", input_count: 6, processed_count: 6 },
      { number: 2, status: "running", input_count: 2, processed_count: 1 },
    ];
    const remaining = remainingFromBreakdown([
      { stage: 2, items: 1 },
      { stage: 3, items: 2 },
      { stage: 4, items: 2 },
      { stage: 5, items: 2 },
      { stage: 6, items: 4 },
      { stage: 7, items: 2 },
    ]);
    expect(globalProgress(run, stages, null, remaining)).toEqual({ completed: 7, total: 20, percentage: 35 });
    // without the projection the same moment would look almost done
    expect(globalProgress(run, stages).percentage).toBe(87);
    // a finished run ignores projections (they are the next run's work)
    const done = makeRun({ status: "completed", current_stage: 7 });
    expect(globalProgress(done, stages, null, remaining).percentage).toBe(100);
  });

  it("does not reach 100% while the run is still active", () => {
    const run = makeRun({ current_stage: 6, initial_snapshot: { stage_6_initial: 1000 } });
    const p = globalProgress(run, [
      { number: 6, status: "running", input_count: 1000, processed_count: 999 },
    ]);
    expect(p.percentage).toBe(99);
  });
});

describe("snapshotCount", () => {
  it("reads the seed's stage_N_initial keys and a nested stages map", () => {
    expect(snapshotCount({ stage_3_initial: 9 }, 3)).toBe(9);
    expect(snapshotCount({ stages: { "2": 4 } }, 2)).toBe(4);
    expect(snapshotCount({ stage_3_initial: "7" }, 3)).toBe(7);
    expect(snapshotCount(null, 1)).toBe(0);
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

describe("awaitingWorker", () => {
  const t0 = Date.parse("2026-01-01T10:00:00Z");
  // As the API sends it: every stage result an empty object until the stage has run.
  const fresh = makeRun({
    status: "running",
    current_stage: 1,
    started_at: "2026-01-01T10:00:00Z",
    stage_1_result: {},
    stage_2_result: {},
  });
  it("flags a running run nobody started after the grace period", () => {
    expect(awaitingWorker(fresh, null, t0 + 31_000)).toBe(true);
    expect(awaitingWorker(fresh, null, t0 + 5_000)).toBe(false);
  });
  it("is quiet once a worker shows signs of life, or when the run is not running", () => {
    expect(awaitingWorker(fresh, { stage: 1, batch: 1 }, t0 + 60_000)).toBe(false);
    const withResult = makeRun({ ...fresh, stage_1_result: { keywords_processed: 3 } });
    expect(awaitingWorker(withResult, null, t0 + 60_000)).toBe(false);
    expect(awaitingWorker(makeRun({ ...fresh, status: "paused" }), null, t0 + 60_000)).toBe(false);
  });
});
