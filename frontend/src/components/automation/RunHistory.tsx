import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { automation } from "../../api";
import type { RunHistory as RunRow } from "../../api/models";
import { formatCredits, formatDateTime, formatTokens, formatUsd, tokenSplit } from "../../lib/format";
import { filterRuns, NO_FILTERS, type HistoryFilters } from "../../lib/history";
import { Card, EmptyState, Loading, ScrollTable, StatusBadge, TableHead, FilterSelect } from "../ui";

const STATUSES = ["completed", "failed", "cancelled", "paused", "running"];
const TRIGGERS = [
  ["manual", "manual"],
  ["scheduled", "scheduled"],
] as const;
const select = "rounded border border-slate-300 bg-white px-1.5 py-1 text-xs";

export function runPath(runId: string): string {
  return `/automation/runs/${encodeURIComponent(runId)}`;
}

/**
 * The site's last 20 runs. With filters the server is asked for the last 20 that match (so an
 * older failed run is found too); the same filters applied here keep the table right while
 * the new answer loads.
 */
export function RunHistory({
  runs: latest,
  loading,
  siteId,
  interval = false,
}: {
  runs: RunRow[];
  loading: boolean;
  siteId?: number;
  interval?: number | false;
}) {
  const navigate = useNavigate();
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const filtered = filters.status || filters.trigger || filters.since;
  const query = useQuery({
    queryKey: ["automation", siteId, "history", filters],
    queryFn: () => automation.history(siteId!, filters),
    enabled: siteId !== undefined && !!filtered,
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
  const runs = filtered && query.data ? query.data : latest;
  const shown = filterRuns(runs.slice(0, 20), filters);
  const setFilter = (key: keyof HistoryFilters, value: string) => setFilters((f) => ({ ...f, [key]: value }));
  return (
    <Card
      title="Run history (last 20)"
      testId="run-history"
      actions={
        <div className="flex flex-wrap items-center gap-2" data-testid="history-filters">
          <FilterSelect
            label="Filter by status"
            className={select}
            all="Any status"
            options={STATUSES.map((s) => [s, s] as const)}
            value={filters.status}
            onChange={(v) => setFilter("status", v)}
          />
          <FilterSelect
            label="Filter by trigger"
            className={select}
            all="Any trigger"
            options={TRIGGERS}
            value={filters.trigger}
            onChange={(v) => setFilter("trigger", v)}
          />
          <label className="flex items-center gap-1 text-xs text-slate-600">
            Since
            <input
              type="date"
              aria-label="Started since"
              className={select}
              value={filters.since}
              onChange={(e) => setFilter("since", e.target.value)}
            />
          </label>
        </div>
      }
    >
      {loading ? (
        <Loading />
      ) : latest.length === 0 ? (
        <EmptyState title="No runs yet">Press Run Now, or enable the schedule in Configure.</EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState title="No run matches these filters" />
      ) : (
        <ScrollTable label="Run history">
          <table className="min-w-full text-left text-xs">
            <TableHead
              columns={[
                "Run",
                "Status",
                "Trigger",
                "Started",
                "Completed",
                "Credits",
                "Tokens",
                "Provider cost",
                "Stage",
              ]}
            />
            <tbody>
              {shown.map((run) => (
                <tr
                  key={run.run_id}
                  data-testid="history-row"
                  data-run-id={run.run_id}
                  onClick={() => navigate(runPath(run.run_id))}
                  className={`cursor-pointer border-b border-slate-100 hover:bg-indigo-50 ${run.status === "failed" ? "bg-red-50/60" : ""}`}
                  title="Open this run's page"
                >
                  <td className="px-4 py-2">
                    <Link
                      to={runPath(run.run_id)}
                      className="font-mono text-indigo-700 hover:underline"
                      onClick={(e) => e.stopPropagation()}
                    >
                      {run.run_id}
                    </Link>
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
                  <td
                    className="px-4 py-2 tabular-nums"
                    title={tokenSplit(run.prompt_tokens, run.completion_tokens)}
                  >
                    {formatTokens(run.prompt_tokens, run.completion_tokens)}
                  </td>
                  <td className="px-4 py-2 tabular-nums" title="What the AI provider bills, USD">
                    {formatUsd(run.provider_cost)}
                  </td>
                  <td className="px-4 py-2">{run.current_stage ?? "—"}/7</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </Card>
  );
}
