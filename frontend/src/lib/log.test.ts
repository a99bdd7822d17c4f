import { describe, expect, it } from "vitest";
import { filterLog, parseLog } from "./log";

const LOG = `2026-01-05 14:05:23 INFO  Run started (manual)
2026-01-05 14:05:24 INFO  [stage 1] Batch 1 of 2
2026-01-05 14:05:25 WARN  [stage 1] Provider slow, retrying
2026-01-05 14:05:26 ERROR [stage 4] Item 12 failed: timeout
`;

describe("parseLog", () => {
  it("reads each line's level", () => {
    expect(parseLog(LOG).map((l) => l.level)).toEqual(["INFO", "INFO", "WARN", "ERROR"]);
  });
  it("treats a line without a level as INFO and an empty log as no lines", () => {
    expect(parseLog("continuation text")[0].level).toBe("INFO");
    expect(parseLog("")).toEqual([]);
  });
});

describe("filterLog", () => {
  const lines = parseLog(LOG);
  it("keeps the chosen level and worse", () => {
    expect(filterLog(lines, "WARN", "").map((l) => l.level)).toEqual(["WARN", "ERROR"]);
    expect(filterLog(lines, "ERROR", "")).toHaveLength(1);
    expect(filterLog(lines, "", "")).toHaveLength(4);
  });
  it("searches case-insensitively", () => {
    expect(filterLog(lines, "", "BATCH")).toHaveLength(1);
    expect(filterLog(lines, "WARN", "item 12")[0].text).toContain("timeout");
  });
});
