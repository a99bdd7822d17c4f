import type { RunStatus } from "../../api/models";
import { stopSeverity } from "../../lib/run";

const STYLE = {
  error: "border-red-300 bg-red-50 text-red-800",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  success: "border-emerald-300 bg-emerald-50 text-emerald-800",
  info: "border-slate-200 bg-slate-50 text-slate-700",
} as const;

// What a finished run says when the server gave no reason (a completed run usually has none).
const FALLBACK: Partial<Record<RunStatus, string>> = {
  completed: "Completed: every stage ran.",
  failed: "The run failed.",
  cancelled: "Cancelled.",
};

const PREFIX = { error: "Failed: ", warning: "Stopped: ", success: "", info: "" } as const;

/** Why a run stopped, coloured by how bad it is: failed red, paused/cancelled amber, completed green. */
export function StoppedReason({
  status,
  reason,
  error,
}: {
  status: RunStatus;
  reason?: string | null;
  error?: string | null;
}) {
  const text = (status === "failed" ? error || reason : reason || error) || FALLBACK[status] || "";
  if (!text) return null;
  const severity = stopSeverity(status);
  return (
    <p
      className={`mt-2 rounded-md border px-2 py-1 text-xs ${STYLE[severity]}`}
      data-testid="stopped-reason"
      data-severity={severity}
      role={severity === "error" ? "alert" : undefined}
    >
      <strong>{PREFIX[severity]}</strong>
      {text}
    </p>
  );
}
