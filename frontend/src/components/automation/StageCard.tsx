import type { StageDescription, StageResult } from "../../api/models";
import type { StageStatus } from "../../lib/run";
import { resultReason, resultRows } from "../../lib/results";
import { Badge, StatusBadge } from "../ui";

const TYPE_TONE = { AI: "indigo", Local: "teal", Manual: "amber" } as const;

const BORDER: Partial<Record<StageStatus, string>> = {
  running: "border-blue-400 ring-2 ring-blue-100",
  paused: "border-amber-400 ring-2 ring-amber-100",
  completed: "border-emerald-300",
  failed: "border-red-400 bg-red-50 ring-2 ring-red-100",
};

export function StageCard({
  info,
  status,
  pending,
  result,
  inputCount,
  processedCount,
  pendingLabel,
}: {
  info: StageDescription;
  status: StageStatus;
  pending: number | null;
  result: StageResult | null;
  inputCount?: number;
  processedCount?: number;
  /** What the count counts: "pending" on the dashboard, "left" for a past run. */
  pendingLabel?: string;
}) {
  const label = pendingLabel ?? (info.number === 7 ? "in review" : "pending");
  const rows = resultRows(info, result);
  const reason = resultReason(result);
  const showCounter = status === "running" && inputCount !== undefined && inputCount > 0;
  return (
    <article
      data-testid={`stage-card-${info.number}`}
      data-status={status}
      className={`flex flex-col rounded-xl border p-3 shadow-sm ${status === "failed" ? "" : "bg-white"} ${BORDER[status] ?? "border-slate-200"}`}
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="text-xs font-medium text-slate-600">Stage {info.number}</p>
          <h3 className="text-sm font-semibold text-slate-900">{info.name}</h3>
        </div>
        <Badge tone={TYPE_TONE[info.kind]}>{info.kind}</Badge>
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        <StatusBadge status={status} testId={`stage-status-${info.number}`} />
        <span className="text-xs text-slate-600" data-testid={`stage-pending-${info.number}`}>
          {pending === null ? "…" : `${pending.toLocaleString("en-US")} ${label}`}
        </span>
      </div>
      {showCounter && (
        <p className="mt-2 text-xs text-blue-700">
          {processedCount ?? 0} of {inputCount} {info.consumes}
        </p>
      )}
      {info.kind === "Manual" && (
        <p className="mt-2 text-xs text-slate-600">
          Automation stops here: drafts wait for your review unless auto-approval is on (Settings).
        </p>
      )}
      {rows.length > 0 && (
        <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-2 gap-y-0.5 border-t border-slate-100 pt-2 text-xs">
          {rows.map(([label, value, hint]) => (
            <div key={label} className="contents">
              <dt className="text-slate-600">{label}</dt>
              <dd className="text-right font-medium tabular-nums text-slate-800" title={hint}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {reason && (
        <p className={`mt-2 text-xs ${status === "failed" ? "font-medium text-red-700" : "text-amber-800"}`}>
          {reason}
        </p>
      )}
    </article>
  );
}
