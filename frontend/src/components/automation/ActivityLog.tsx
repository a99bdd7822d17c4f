// Terminal-style tail of a run's log; refreshes with the page's poll while the run is live.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { automation } from "../../api";
import { describeError } from "../../lib/errors";
import { Card } from "../ui";

export const LOG_LINE_CHOICES = [50, 100, 200, 500] as const;

export function ActivityLog({
  siteId,
  runId,
  live,
  interval,
  isCurrent,
  onShowCurrent,
}: {
  siteId: number;
  runId: string | null;
  live: boolean;
  interval: number | false;
  isCurrent: boolean;
  onShowCurrent: () => void;
}) {
  const [lines, setLines] = useState<number>(100);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  const query = useQuery({
    queryKey: ["automation", siteId, "logs", runId, lines],
    queryFn: () => automation.logs(siteId, runId!, lines),
    enabled: !!runId,
    refetchInterval: live ? interval : false,
  });
  const text = query.data?.log ?? "";

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text, follow]);

  return (
    <Card
      testId="activity-log"
      title={
        <span>
          Activity log{" "}
          {runId && (
            <code className="ml-1 text-xs font-normal text-slate-500" data-testid="log-run-id">
              {runId}
            </code>
          )}
        </span>
      }
      actions={
        <>
          {!isCurrent && (
            <button
              type="button"
              className="text-xs font-medium text-indigo-600 hover:underline"
              onClick={onShowCurrent}
            >
              Back to the latest run
            </button>
          )}
          <label className="flex items-center gap-1 text-xs text-slate-600">
            Lines
            <select
              aria-label="Log lines"
              className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs"
              value={lines}
              onChange={(e) => setLines(Number(e.target.value))}
            >
              {LOG_LINE_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-1 text-xs text-slate-600">
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />{" "}
            Auto-scroll
          </label>
        </>
      }
    >
      {!runId ? (
        <p className="text-sm text-slate-500">No run yet: the log of the next run appears here.</p>
      ) : query.isError ? (
        <p className="text-sm text-red-700" role="alert">
          {describeError(query.error)}
        </p>
      ) : (
        <pre
          ref={box}
          data-testid="log-output"
          onScroll={(e) => {
            const el = e.currentTarget;
            const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
            // Scrolling up to read stops following; the checkbox turns it back on.
            if (!atBottom && follow) setFollow(false);
          }}
          className="h-72 overflow-auto whitespace-pre-wrap break-words rounded-lg bg-slate-950 p-3 font-mono text-xs leading-relaxed text-emerald-300"
        >
          {query.isLoading ? "Loading log…" : text || "(the log is empty so far)"}
        </pre>
      )}
    </Card>
  );
}
