// A run's log as lines the page can colour and filter. The server writes
// "2026-01-05 14:05:23 INFO  [stage 2] message" (igny8_core/automation/logger.py).

export type LogLevel = "INFO" | "WARN" | "ERROR" | "DEBUG";
export const LOG_LEVELS: LogLevel[] = ["ERROR", "WARN", "INFO", "DEBUG"];

export interface LogLine {
  text: string;
  level: LogLevel;
}

const LEVEL_RE = /^\S+ \S+ (ERROR|WARN(?:ING)?|INFO|DEBUG)\b/;

export function parseLog(text: string): LogLine[] {
  if (!text) return [];
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => {
      const match = LEVEL_RE.exec(line);
      const raw = match?.[1] ?? "INFO";
      return { text: line, level: (raw.startsWith("WARN") ? "WARN" : raw) as LogLevel };
    });
}

/** Lines of the chosen level or worse ("" = all) that contain the search text (any case). */
export function filterLog(lines: LogLine[], minLevel: LogLevel | "", search: string): LogLine[] {
  const needle = search.trim().toLowerCase();
  const rank = minLevel ? LOG_LEVELS.indexOf(minLevel) : LOG_LEVELS.length;
  return lines.filter(
    (line) => LOG_LEVELS.indexOf(line.level) <= rank && (!needle || line.text.toLowerCase().includes(needle)),
  );
}

/** Text colour of a level on the log's dark background (all at least 4.5:1 on slate-950). */
export const LEVEL_CLASS: Record<LogLevel, string> = {
  ERROR: "text-red-300 font-semibold",
  WARN: "text-amber-300",
  INFO: "text-slate-200",
  DEBUG: "text-slate-400",
};
