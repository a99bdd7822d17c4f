import type { AutomationRun } from "../../api/types";
import { formatCredits } from "../../lib/format";
import type { GlobalProgress } from "../../lib/progress";
import { formatSeconds } from "../../lib/stages";
import { StatusBadge } from "../ui";

export function GlobalProgressBar({
  run,
  progress,
  durationSeconds,
}: {
  run: AutomationRun;
  progress: GlobalProgress;
  durationSeconds?: number;
}) {
  const barColor =
    run.status === "failed"
      ? "bg-red-500"
      : run.status === "paused"
        ? "bg-amber-500"
        : run.status === "completed"
          ? "bg-emerald-500"
          : run.status === "cancelled"
            ? "bg-slate-400"
            : "bg-indigo-600";
  return (
    <section
      data-testid="global-progress"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <h2 className="text-sm font-semibold text-slate-800">Run progress</h2>
          <code className="truncate text-xs text-slate-500" data-testid="run-id">
            {run.run_id}
          </code>
          <StatusBadge status={run.status} testId="run-status" />
          {run.current_stage ? (
            <span className="text-xs text-slate-500">stage {run.current_stage}/7</span>
          ) : null}
        </div>
        <div className="flex gap-4 text-xs text-slate-600">
          <span>
            Credits used{" "}
            <strong className="tabular-nums text-slate-900">{formatCredits(run.total_credits_used)}</strong>
          </span>
          {durationSeconds !== undefined && (
            <span>
              Duration{" "}
              <strong className="tabular-nums text-slate-900">{formatSeconds(durationSeconds)}</strong>
            </span>
          )}
        </div>
      </div>
      <div
        className="mt-3 h-3 w-full overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress.percentage}
        aria-label="Run progress"
      >
        {/* Only the width animates (a short ease to the new value, none with reduced motion); the
            page mounts a fresh bar per run, so a new run never slides back from the last one's 100 %. */}
        <div
          data-testid="progress-fill"
          className={`h-full rounded-full transition-[width] duration-500 motion-reduce:transition-none ${barColor}`}
          style={{ width: `${progress.percentage}%` }}
        />
      </div>
      <p className="mt-1 text-xs text-slate-600" data-testid="progress-text">
        <strong className="tabular-nums">{progress.percentage}%</strong> ·{" "}
        {progress.completed.toLocaleString("en-US")} of {progress.total.toLocaleString("en-US")} items (queue
        sizes at run start, plus items created and still projected by the run)
      </p>
      {(run.stopped_reason || run.error_message) && (
        <p
          className="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900"
          data-testid="stopped-reason"
        >
          {run.error_message || run.stopped_reason}
        </p>
      )}
    </section>
  );
}
