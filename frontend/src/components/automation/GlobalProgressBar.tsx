// The run's progress exactly as the server computes it (run_progress.global_progress): the
// page never projects its own totals, so the dashboard, the API and the CLI agree.
import type { AutomationRun, GlobalProgressData } from "../../api/models";
import { formatCredits } from "../../lib/format";
import { isActive } from "../../lib/run";
import { formatSeconds } from "../../lib/results";
import { StatusBadge } from "../ui";
import { StoppedReason } from "./StoppedReason";

const BAR_COLOR: Record<string, string> = {
  failed: "bg-red-600",
  paused: "bg-amber-500",
  completed: "bg-emerald-600",
  cancelled: "bg-amber-500",
};

export function GlobalProgressBar({
  run,
  progress,
  durationSeconds,
  title = "Run progress",
}: {
  run: AutomationRun;
  progress: GlobalProgressData | undefined;
  durationSeconds?: number;
  title?: string;
}) {
  const pct = progress?.percentage ?? 0;
  const done = progress?.completed_items ?? 0;
  const total = progress?.total_items ?? 0;
  const left = progress?.remaining_items ?? 0;
  const ended = !isActive(run);
  return (
    <section
      data-testid="global-progress"
      data-run-status={run.status}
      className={`rounded-xl border bg-white p-4 shadow-sm ${run.status === "failed" ? "border-red-300" : "border-slate-200"}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
          <code className="truncate text-xs text-slate-600" data-testid="run-id">
            {run.run_id}
          </code>
          <StatusBadge status={run.status} testId="run-status" />
          {run.current_stage && isActive(run) ? (
            <span className="text-xs text-slate-600">stage {run.current_stage}/7</span>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-4 text-xs text-slate-600">
          <span>
            Credits used{" "}
            <strong className="tabular-nums text-slate-900">{formatCredits(run.total_credits_used)}</strong>
          </span>
          {durationSeconds !== undefined && (
            <span>
              Duration{" "}
              <strong className="tabular-nums text-slate-900" data-testid="run-duration">
                {formatSeconds(durationSeconds)}
              </strong>
            </span>
          )}
          {run.status === "running" && progress?.eta_seconds != null && (
            <span>
              About{" "}
              <strong className="tabular-nums text-slate-900" data-testid="run-eta">
                {formatSeconds(progress.eta_seconds)}
              </strong>{" "}
              left
            </span>
          )}
        </div>
      </div>
      <div
        className="mt-3 h-3 w-full overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label="Run progress"
      >
        {/* Only the width animates (a short ease to the new value, none with reduced motion); the
            page mounts a fresh bar per run, so a new run never slides back from the last one's 100 %. */}
        <div
          data-testid="progress-fill"
          className={`h-full rounded-full transition-[width] duration-500 motion-reduce:transition-none ${BAR_COLOR[run.status] ?? "bg-indigo-600"}`}
          style={{ width: `${pct}%` }}
        />
      </div>
      <p className="mt-1 text-xs text-slate-600" data-testid="progress-text">
        {ended && run.status !== "completed" ? (
          // A stopped run is not "x% done": say what it did and what it left.
          <>
            <strong className="tabular-nums">{pct}%</strong> · {done.toLocaleString("en-US")} items done,{" "}
            {left.toLocaleString("en-US")} left for the next run
          </>
        ) : (
          <>
            <strong className="tabular-nums">{pct}%</strong> · {done.toLocaleString("en-US")} of{" "}
            {total.toLocaleString("en-US")} items
          </>
        )}
      </p>
      <StoppedReason status={run.status} reason={run.stopped_reason} error={run.error_message} />
    </section>
  );
}
