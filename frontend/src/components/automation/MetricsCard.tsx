// The site's run metrics: runs per week as a small stacked bar chart (completed, failed,
// cancelled), the success rate, the average credits per run and the average time per stage.
import { useQuery } from "@tanstack/react-query";
import { automation } from "../../api";
import type { RunMetrics } from "../../api/models";
import { describeError } from "../../lib/errors";
import { formatCredits } from "../../lib/format";
import { formatSeconds } from "../../lib/results";
import { Card, Figure, Loading } from "../ui";

const SERIES = [
  ["completed", "Completed", "#047857"],
  ["failed", "Failed", "#b91c1c"],
  ["cancelled", "Cancelled", "#b45309"],
] as const;

export function MetricsCard({ siteId }: { siteId: number }) {
  const query = useQuery({
    queryKey: ["automation", siteId, "metrics"],
    queryFn: () => automation.metrics(siteId),
    staleTime: 60_000,
  });
  const m = query.data;
  return (
    <Card title="Metrics (last 8 weeks)" testId="metrics">
      {query.isLoading ? (
        <Loading />
      ) : query.isError ? (
        <p className="text-sm text-red-700">{describeError(query.error)}</p>
      ) : m ? (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <div>
            <WeeksChart weeks={m.weeks} />
            <dl className="mt-2 grid grid-cols-3 gap-2 text-sm">
              <Figure label="Runs" value={String(m.runs_total)} testId="metric-runs" />
              <Figure
                label="Success rate"
                value={m.success_rate === null ? "—" : `${Math.round(m.success_rate * 100)}%`}
                testId="metric-success"
              />
              <Figure
                label="Avg credits / run"
                value={m.average_credits_per_run === null ? "—" : formatCredits(m.average_credits_per_run)}
                testId="metric-credits"
              />
            </dl>
          </div>
          <div>
            <h3 className="mb-1 text-xs font-semibold text-slate-700">Average time per stage</h3>
            <table className="w-full text-xs">
              <tbody>
                {m.average_stage_seconds.map((s) => (
                  <tr key={s.stage} className="border-b border-slate-100">
                    <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-700">
                      {s.stage}. {s.name}
                    </th>
                    <td className="py-1 text-right tabular-nums text-slate-900">
                      {s.average_seconds === null ? "—" : formatSeconds(s.average_seconds)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </Card>
  );
}

function WeeksChart({ weeks }: { weeks: RunMetrics["weeks"] }) {
  const max = Math.max(1, ...weeks.map((w) => w.runs));
  const barWidth = 100 / Math.max(1, weeks.length);
  const summary = weeks.map((w) => `week of ${w.week_start}: ${w.runs} runs`).join("; ");
  return (
    <figure>
      <svg viewBox="0 0 100 40" className="h-28 w-full" role="img" aria-label={`Runs per week: ${summary}`}>
        {weeks.map((w, i) => {
          let y = 40;
          return (
            <g key={w.week_start}>
              <title>{`Week of ${w.week_start}: ${w.completed} completed, ${w.failed} failed, ${w.cancelled} cancelled`}</title>
              {SERIES.map(([key, , color]) => {
                const h = (w[key] / max) * 36;
                y -= h;
                return h > 0 ? (
                  <rect
                    key={key}
                    x={i * barWidth + barWidth * 0.15}
                    y={y}
                    width={barWidth * 0.7}
                    height={h}
                    fill={color}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap gap-3 text-xs text-slate-700">
        {SERIES.map(([key, label, color]) => (
          <span key={key} className="flex items-center gap-1">
            <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: color }} />{" "}
            {label}
          </span>
        ))}
        <span className="text-slate-600">
          {weeks[0]?.week_start} → {weeks[weeks.length - 1]?.week_start}
        </span>
      </figcaption>
    </figure>
  );
}
