import type { AutomationRun } from "../../api/types";
import { formatCredits, formatDateTime } from "../../lib/format";
import { Card, EmptyState, Loading, StatusBadge } from "../ui";

export function RunHistory({
  runs,
  loading,
  selectedRunId,
  onSelect,
}: {
  runs: AutomationRun[];
  loading: boolean;
  selectedRunId: string | null;
  onSelect: (runId: string) => void;
}) {
  return (
    <Card title="Run history (last 20)" testId="run-history">
      {loading ? (
        <Loading />
      ) : runs.length === 0 ? (
        <EmptyState title="No runs yet">Press Run Now, or enable the schedule in Configure.</EmptyState>
      ) : (
        <div className="-mx-4 overflow-x-auto">
          <table className="min-w-full text-left text-xs">
            <thead className="border-b border-slate-200 text-slate-500">
              <tr>
                {["Run", "Status", "Trigger", "Started", "Completed", "Credits", "Stage"].map((h) => (
                  <th key={h} className="px-4 py-2 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.slice(0, 20).map((run) => (
                <tr
                  key={run.run_id}
                  data-testid="history-row"
                  data-run-id={run.run_id}
                  onClick={() => onSelect(run.run_id)}
                  className={`cursor-pointer border-b border-slate-100 hover:bg-indigo-50 ${selectedRunId === run.run_id ? "bg-indigo-50" : ""}`}
                  title="Show this run's log"
                >
                  <td className="px-4 py-2">
                    <button
                      type="button"
                      className="font-mono text-indigo-700 hover:underline"
                      onClick={() => onSelect(run.run_id)}
                    >
                      {run.run_id}
                    </button>
                  </td>
                  <td className="px-4 py-2">
                    <StatusBadge status={run.status} />
                  </td>
                  <td className="px-4 py-2">{run.trigger_type}</td>
                  <td className="whitespace-nowrap px-4 py-2">{formatDateTime(run.started_at)}</td>
                  <td className="whitespace-nowrap px-4 py-2">
                    {formatDateTime(run.completed_at ?? run.cancelled_at ?? null)}
                  </td>
                  <td className="px-4 py-2 tabular-nums">{formatCredits(run.total_credits_used)}</td>
                  <td className="px-4 py-2">{run.current_stage ?? "—"}/7</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
