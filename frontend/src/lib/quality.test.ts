import { describe, expect, it } from "vitest";
import { qualityOf, qualityTone } from "./quality";

describe("qualityOf", () => {
  it("is null until the draft is checked", () => {
    expect(qualityOf({ quality: null })).toBeNull();
  });
  it("lists the failed checks and counts the passed ones", () => {
    const summary = qualityOf({
      quality: {
        score: 62,
        checks: [
          {
            name: "meta_description_length",
            passed: false,
            detail: "Meta description is 210 characters (max 160).",
          },
          { name: "has_h2", passed: true, detail: "" },
        ],
      },
    });
    expect(summary?.score).toBe(62);
    expect(summary?.passed).toBe(1);
    expect(summary?.failed.map((c) => c.name)).toEqual(["meta_description_length"]);
  });
  it("colours the score", () => {
    expect([qualityTone(90), qualityTone(60), qualityTone(10)]).toEqual(["green", "amber", "red"]);
  });
});
