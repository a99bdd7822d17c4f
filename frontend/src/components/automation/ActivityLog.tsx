// A run's log: coloured by level, filtered by level and text, downloadable; refreshes with
// the page's poll while the run is live.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { automation } from "../../api";
import { describeError } from "../../lib/errors";
import { filterLog, LEVEL_CLASS, LOG_LEVELS, parseLog, type LogLevel } from "../../lib/log";
import { Button, Card, FilterSelect } from "../ui";

export const LOG_LINE_CHOICES = [50, 100, 200, 500, 2000] as const;
/** The most lines the logs endpoint answers: a download asks for all of them. */
const DOWNLOAD_LINES = 2000;

const small = "rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs";
const LEVEL_CHOICES = LOG_LEVELS.filter((l) => l !== "DEBUG").map(
  (l) => [l, l === "INFO" ? "Info and worse" : l === "WARN" ? "Warnings and errors" : "Errors only"] as const,
);

export function ActivityLog({
  siteId,
  runId,
  live,
  interval,
  isCurrent = true,
  onShowCurrent,
  title = "Activity log",
}: {
  /** null: the run id alone names the run (a run's own page). */
  siteId: number | null;
  runId: string | null;
  live: boolean;
  interval: number | false;
  isCurrent?: boolean;
  onShowCurrent?: () => void;
  title?: string;
}) {
  const [lines, setLines] = useState<number>(100);
  const [level, setLevel] = useState<LogLevel | "">("");
  const [search, setSearch] = useState("");
  const [follow, setFollow] = useState(true);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const query = useQuery({
    queryKey: ["automation", siteId, "logs", runId, lines],
    queryFn: () => automation.logs(siteId, runId!, lines),
    enabled: !!runId,
    refetchInterval: live ? interval : false,
  });
  const text = query.data?.log ?? "";
  const all = useMemo(() => parseLog(text), [text]);
  const shown = useMemo(() => filterLog(all, level, search), [all, level, search]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);

  const download = async () => {
    setDownloadError(null);
    try {
      const full = await automation.logs(siteId, runId!, DOWNLOAD_LINES);
      const url = URL.createObjectURL(new Blob([full.log], { type: "text/plain" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `${runId}.log`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setDownloadError(describeError(error));
    }
  };

  return (
    <Card
      testId="activity-log"
      title={
        <span>
          {title}{" "}
          {runId && (
            <code className="ml-1 text-xs font-normal text-slate-600" data-testid="log-run-id">
              {runId}
            </code>
          )}
        </span>
      }
      actions={
        <>
          {!isCurrent && onShowCurrent && (
            <button
              type="button"
              className="text-xs font-medium text-indigo-700 hover:underline"
              onClick={onShowCurrent}
            >
              Back to the latest run
            </button>
          )}
          <label className="flex items-center gap-1 text-xs text-slate-600">
            Level
            <FilterSelect
              label="Log level"
              testId="log-level"
              className={small}
              all="All"
              options={LEVEL_CHOICES}
              value={level}
              onChange={(v) => setLevel(v as LogLevel | "")}
            />
          </label>
          <input
            type="search"
            aria-label="Search the log"
            placeholder="Search"
            data-testid="log-search"
            className={`${small} w-28`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label className="flex items-center gap-1 text-xs text-slate-600">
            Lines
            <select
              aria-label="Log lines"
              className={small}
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
          {runId && (
            <Button className="px-2 py-1 text-xs" onClick={download} data-testid="log-download">
              Download
            </Button>
          )}
        </>
      }
    >
      {downloadError && (
        <p className="mb-2 text-sm text-red-700" role="alert">
          {downloadError}
        </p>
      )}
      {!runId ? (
        <p className="text-sm text-slate-600">No run yet: the log of the next run appears here.</p>
      ) : query.isError ? (
        <p className="text-sm text-red-700" role="alert">
          {describeError(query.error)}
        </p>
      ) : (
        <div
          ref={box}
          data-testid="log-output"
          tabIndex={0}
          role="log"
          aria-label="Run log"
          onScroll={(e) => {
            const el = e.currentTarget;
            const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
            // Scrolling up to read stops following; the checkbox turns it back on.
            if (!atBottom && follow) setFollow(false);
          }}
          className="h-72 overflow-auto whitespace-pre-wrap break-words rounded-lg bg-slate-950 p-3 font-mono text-xs leading-relaxed"
        >
          {query.isLoading ? (
            <span className="text-slate-200">Loading log…</span>
          ) : !all.length ? (
            <span className="text-slate-200">(the log is empty so far)</span>
          ) : !shown.length ? (
            <span className="text-slate-300">No line matches the filter.</span>
          ) : (
            shown.map((line, i) => (
              <div key={i} data-level={line.level} className={LEVEL_CLASS[line.level]}>
                {line.text}
              </div>
            ))
          )}
        </div>
      )}
    </Card>
  );
}
