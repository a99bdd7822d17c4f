// Pure run logic of the automation page: stage status, global progress, which buttons
// are enabled, how often to poll. No React here, so it is unit-tested directly.
import type {
  AutomationRun,
  InitialSnapshot,
  ProgressStage,
  RunStatus,
  StageResult,
  StageStatus,
} from "../api/types";
import { asNumber, STAGES, stageInfo } from "./stages";

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

export function stageResult(run: AutomationRun | null | undefined, stage: number): StageResult | null {
  if (!run) return null;
  const value = (run as unknown as Record<string, unknown>)[`stage_${stage}_result`];
  return value && typeof value === "object" ? (value as StageResult) : null;
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

export interface GlobalProgress {
  completed: number;
  total: number;
  percentage: number;
}

/** Initial queue size of a stage in the run's snapshot (`stage_N_initial`, or a nested shape). */
export function snapshotCount(snapshot: InitialSnapshot | null | undefined, stage: number): number {
  if (!snapshot) return 0;
  const direct = asNumber(
    snapshot[`stage_${stage}_initial`] ?? snapshot[`stage_${stage}`] ?? snapshot[String(stage)],
  );
  if (direct !== null) return direct;
  const nested = snapshot.stages;
  if (nested && typeof nested === "object") {
    const entry =
      (nested as Record<string, unknown>)[String(stage)] ??
      (nested as Record<string, unknown>)[`stage_${stage}`];
    const n = asNumber(entry);
    if (n !== null) return n;
  }
  return 0;
}

/**
 * Progress of the whole run against its initial snapshot (the seed's fix: the snapshot is
 * the denominator, stage results the numerator). Each stage counts
 * max(initial queue, items it was given, items done + items still projected), because
 * stages also process items that earlier stages of the same run created. `remaining` is the
 * estimate's per-stage projection of work still ahead (estimate breakdown, polled during the
 * run): without it a stage that has not started yet would count as empty and the bar would
 * run ahead, then fall back. A finished stage counts as fully done (items left over by
 * per-run limits belong to the next run); only a completed run is 100 %.
 */
export function globalProgress(
  run: AutomationRun | null | undefined,
  stages: ProgressStage[] = [],
  snapshot?: InitialSnapshot | null,
  remaining?: Partial<Record<number, number>>,
): GlobalProgress {
  if (!run) return { completed: 0, total: 0, percentage: 0 };
  const snap = snapshot ?? run.initial_snapshot ?? null;
  let total = 0;
  let completed = 0;
  for (const info of STAGES) {
    const server = stages.find((s) => s.number === info.number);
    const result = server?.result ?? stageResult(run, info.number);
    const processed = Math.max(
      0,
      asNumber(server?.processed_count) ?? asNumber(result?.[info.processedKey]) ?? 0,
    );
    const status = stageStatus(run, info.number, server?.status);
    const done = DONE.includes(status);
    const ahead = isActive(run) && !done ? Math.max(0, remaining?.[info.number] ?? 0) : 0;
    const size = Math.max(
      snapshotCount(snap, info.number),
      asNumber(server?.input_count) ?? 0,
      processed + ahead,
    );
    total += size;
    completed += done ? size : Math.min(processed, size);
  }
  if (run.status === "completed") return { completed: total, total, percentage: 100 };
  // Only a completed run shows 100 %: a live run always has something left to do.
  const cap = isActive(run) ? 99 : 100;
  const percentage = total === 0 ? 0 : Math.min(cap, Math.max(0, Math.floor((completed / total) * 100)));
  return { completed, total, percentage };
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
  return stageInfo(run.current_stage).number;
}

/** Per-stage items still ahead, from the estimate's breakdown ({stage, items}). */
export function remainingFromBreakdown(breakdown: Array<{ stage: number; items: number }> | undefined) {
  const out: Partial<Record<number, number>> = {};
  for (const row of breakdown ?? []) out[row.stage] = asNumber(row.items) ?? 0;
  return out;
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

/** How long a fresh run may wait for a worker before the page says so. */
export const WORKER_PICKUP_GRACE_MS = 30_000;

/**
 * A running run that no worker has started: nothing being processed, no stage result yet,
 * and queued longer than the grace period. (A worker sets "currently processing" as soon as it
 * starts the first batch.) Usually the Celery worker is not running or serves another broker.
 */
export function awaitingWorker(
  run: AutomationRun | null | undefined,
  processing: unknown,
  nowMs: number,
  graceMs = WORKER_PICKUP_GRACE_MS,
): boolean {
  if (!run || run.status !== "running" || processing || !run.started_at) return false;
  // Unstarted stages carry an empty result ({}), so only a non-empty one counts.
  if (STAGES.some((info) => Object.keys(stageResult(run, info.number) ?? {}).length > 0)) return false;
  const started = Date.parse(run.started_at);
  return Number.isFinite(started) && nowMs - started > graceMs;
}
