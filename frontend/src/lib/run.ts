// Pure run logic of the automation page: stage status, which buttons are enabled, how
// often to poll, whether a worker has the run. The run's progress (percentage, totals, ETA)
// is the server's (run_progress) and is shown unchanged. No React here, so it is unit-tested directly.
import type { AutomationRun, RunStatus, StageResult } from "../api/models";
import { asNumber } from "./results";

/** A run has seven stages (stage_1_result … stage_7_result); their descriptions come from the API. */
export const STAGE_NUMBERS = [1, 2, 3, 4, 5, 6, 7] as const;

/** The states a stage card shows: the server's stage statuses plus "waiting" (not reached). */
export type StageStatus =
  "waiting" | "running" | "paused" | "completed" | "skipped" | "partial" | "failed" | "cancelled";

export const ACTIVE_STATUSES: RunStatus[] = ["running", "paused"];

export function isActive(run: Pick<AutomationRun, "status"> | null | undefined): boolean {
  return !!run && ACTIVE_STATUSES.includes(run.status);
}

/** Stage states that mean "this stage is over for this run". */
const DONE: StageStatus[] = ["completed", "skipped", "partial"];

const ALIASES: Record<string, StageStatus> = {
  waiting: "waiting",
  pending: "waiting",
  queued: "waiting",
  ready: "waiting",
  not_started: "waiting",
  running: "running",
  active: "running",
  processing: "running",
  in_progress: "running",
  paused: "paused",
  completed: "completed",
  complete: "completed",
  done: "completed",
  skipped: "skipped",
  partial: "partial",
  failed: "failed",
  error: "failed",
  cancelled: "cancelled",
  canceled: "cancelled",
};

/** Map the server's word for a stage state onto the dashboard's; unknown -> null. */
export function normalizeStageStatus(raw: string | null | undefined): StageStatus | null {
  if (!raw) return null;
  return ALIASES[raw.toLowerCase()] ?? null;
}

type StageResultKey = Extract<keyof AutomationRun, `stage_${number}_result`>;

/** The stage's stored tally, or null before the stage ran (the server sends {} then). */
export function stageResult(run: AutomationRun | null | undefined, stage: number): StageResult | null {
  const value = run?.[`stage_${stage}_result` as StageResultKey];
  return value && Object.keys(value).length > 0 ? value : null;
}

function statusFromResult(result: StageResult): StageStatus {
  if (result.skipped === true) return "skipped";
  if (result.partial === true) return "partial";
  if (typeof result.status === "string") return normalizeStageStatus(result.status) ?? "completed";
  return "completed";
}

/**
 * The state shown on a stage card. The server's per-stage status (run_progress) wins
 * when present; otherwise it is derived from the run's current stage and saved results.
 * The run's own state overrides the stage the run stopped at: a paused run shows its
 * current stage as paused, a cancelled or failed one as cancelled / failed.
 */
export function stageStatus(
  run: AutomationRun | null | undefined,
  stage: number,
  serverStatus?: string | null,
): StageStatus {
  if (!run) return "waiting";
  const result = stageResult(run, stage);
  let status = normalizeStageStatus(serverStatus);
  if (!status) {
    const current = run.current_stage ?? 0;
    // The current stage of a live run is running even if it already saved partial results.
    if (stage === current && isActive(run)) status = "running";
    else if (result) status = statusFromResult(result);
    else if (stage < current) status = "completed";
    else if (stage === current && run.status !== "completed") status = "running";
    else if (run.status === "completed") status = "skipped";
    else status = "waiting";
  }
  if (DONE.includes(status) || status === "failed") return status;
  const atStop = stage === (run.current_stage ?? 0);
  if (run.status === "paused" && atStop) return "paused";
  if (run.status === "cancelled" && atStop) return "cancelled";
  if (run.status === "failed" && atStop) return "failed";
  if (run.status === "completed") return status === "running" ? "completed" : status;
  if (!isActive(run) && status === "running") return "cancelled";
  return status;
}

export interface ControlStates {
  runNow: boolean;
  pause: boolean;
  resume: boolean;
  cancel: boolean;
}

/** Which of Run Now / Pause / Resume / Cancel may be pressed; nothing while a request is in flight. */
export function controlStates(
  run: Pick<AutomationRun, "status"> | null | undefined,
  busy = false,
): ControlStates {
  if (busy) return { runNow: false, pause: false, resume: false, cancel: false };
  const status = run?.status;
  return {
    runNow: !isActive(run),
    pause: status === "running",
    resume: status === "paused",
    cancel: status === "running" || status === "paused",
  };
}

export const POLL_ACTIVE_MS = 5_000;
export const POLL_IDLE_MS = 30_000;

/** Polling interval: ~5 s while a run is running or paused, ~30 s idle, never while hidden. */
export function pollInterval(runStatus: RunStatus | null | undefined, visible: boolean): number | false {
  if (!visible) return false;
  return runStatus === "running" || runStatus === "paused" ? POLL_ACTIVE_MS : POLL_IDLE_MS;
}

/** The stage number a stage card highlights as "now", or null when nothing runs. */
export function activeStage(run: AutomationRun | null | undefined): number | null {
  if (!isActive(run) || !run?.current_stage) return null;
  return run.current_stage;
}

/**
 * True when no stage that does work (1–6) has anything waiting, so Run Now would only skip
 * them (stage 7 may still auto-approve drafts, so the button stays enabled). Unknown while
 * the pipeline is loading -> false.
 */
export function nothingToProcess(pipeline: Array<{ number: number; pending: number }> | undefined): boolean {
  if (!pipeline?.length) return false;
  return pipeline.filter((s) => s.number < 7).every((s) => (asNumber(s.pending) ?? 0) === 0);
}

/** How long a fresh run may wait for a worker before the page calls it a problem. */
export const WORKER_PICKUP_GRACE_MS = 30_000;

/**
 * Whether a worker has this run: "claimed" once one works on it, "waiting" while nobody has
 * picked it up yet (from the first second), "missing" when that has lasted longer than the
 * grace period (usually the Celery worker is not running or serves another broker). The
 * server's `claimed_at` decides when it sends it; otherwise signs of life do: "currently
 * processing" is set as soon as a worker starts a batch, and a started stage saves a result.
 */
export function workerState(
  run: AutomationRun | null | undefined,
  processing: unknown,
  nowMs: number,
  graceMs = WORKER_PICKUP_GRACE_MS,
): "claimed" | "waiting" | "missing" {
  if (!run || run.status !== "running" || processing || !run.waiting_for_worker) return "claimed";
  const since = Date.parse(run.started_at);
  if (!Number.isFinite(since)) return "claimed";
  return nowMs - since > graceMs ? "missing" : "waiting";
}

export type Severity = "error" | "warning" | "success" | "info";

/** How a run's end reads: failed is an error, paused or cancelled a warning, completed a success. */
export function stopSeverity(status: RunStatus): Severity {
  if (status === "failed") return "error";
  if (status === "paused" || status === "cancelled") return "warning";
  if (status === "completed") return "success";
  return "info";
}

/**
 * The run's duration now: the server's figure plus the time since it was fetched while the
 * run is running (so it ticks every second between polls), unchanged once paused or ended.
 */
export function liveDuration(
  serverSeconds: number | undefined,
  fetchedAtMs: number,
  running: boolean,
  nowMs: number,
): number | undefined {
  if (serverSeconds === undefined) return undefined;
  if (!running || !fetchedAtMs) return serverSeconds;
  return serverSeconds + Math.max(0, Math.floor((nowMs - fetchedAtMs) / 1000));
}
