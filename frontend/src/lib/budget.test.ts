import { describe, expect, it } from "vitest";
import { chartSegments, sumShares, validateShares } from "./budget";

const defaults = {
  clustering: "15",
  idea_generation: "10",
  content_generation: "40",
  image_prompt_extraction: "5",
  image_generation: "30",
};

describe("budget shares", () => {
  it("sums live, counting unfinished input as 0", () => {
    expect(sumShares(defaults)).toBe(100);
    expect(sumShares({ ...defaults, clustering: "" })).toBe(85);
    expect(sumShares({ ...defaults, clustering: "15.5", content_generation: "39.5" })).toBe(100);
  });

  it("requires a total of exactly 100", () => {
    expect(validateShares(defaults)).toEqual({});
    expect(validateShares({ ...defaults, clustering: "20" }).non_field_errors?.[0]).toContain("105");
    expect(Object.keys(validateShares({ ...defaults, clustering: "x" }))).toEqual(["clustering"]);
    expect(Object.keys(validateShares({ ...defaults, clustering: "101" }))).toContain("clustering");
  });

  it("gives chart widths proportional to the shares", () => {
    const segments = chartSegments(defaults);
    expect(segments.map((s) => s.width)).toEqual([15, 10, 40, 5, 30]);
    // an overfull total is scaled so the bar never overflows
    const over = chartSegments({ ...defaults, content_generation: "140" });
    expect(over.reduce((a, s) => a + s.width, 0)).toBeCloseTo(100);
  });
});
