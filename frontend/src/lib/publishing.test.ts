import { describe, expect, it } from "vitest";
import { publishingSettings } from "../test/fixtures";
import { normaliseTime, validatePublishing, withTypedSlot } from "./publishing";

const base = publishingSettings();

describe("publishing settings checks", () => {
  it("accepts valid settings", () => expect(validatePublishing(base)).toEqual({}));
  it("needs slots in time_slots mode and days always", () => {
    expect(validatePublishing({ ...base, publish_time_slots: [] })).toHaveProperty("publish_time_slots");
    expect(validatePublishing({ ...base, publish_days: [] })).toHaveProperty("publish_days");
  });
  it("needs start < end and an interval of 1-1440 in stagger mode", () => {
    const stagger = { ...base, scheduling_mode: "stagger" as const };
    expect(validatePublishing({ ...stagger, stagger_end_time: "08:00" })).toHaveProperty("stagger_end_time");
    expect(validatePublishing({ ...stagger, stagger_interval_minutes: 0 })).toHaveProperty(
      "stagger_interval_minutes",
    );
    expect(validatePublishing({ ...stagger, publish_time_slots: [] })).toEqual({});
  });
  it("needs a queue of at least 1", () =>
    expect(validatePublishing({ ...base, queue_limit: 0 })).toHaveProperty("queue_limit"));
  it("needs a minimum quality score from 0 (off) to 100", () => {
    expect(validatePublishing({ ...base, min_quality_score: 70 })).toEqual({});
    expect(validatePublishing({ ...base, min_quality_score: 101 })).toHaveProperty("min_quality_score");
    expect(validatePublishing({ ...base, min_quality_score: -1 })).toHaveProperty("min_quality_score");
    expect(validatePublishing({ ...base, min_quality_score: 7.5 })).toHaveProperty("min_quality_score");
  });
  it("normalises times", () => {
    expect(normaliseTime("9:5")).toBe("09:05");
    expect(normaliseTime("09:00:00")).toBe("09:00");
    expect(normaliseTime(" noon ")).toBe("noon");
  });
});

describe("withTypedSlot", () => {
  it("keeps the list when nothing is typed", () => {
    expect(withTypedSlot(["09:00"], "  ")).toEqual({ slots: ["09:00"] });
  });
  it("adds a typed, not yet added time in order (saving must not drop it)", () => {
    expect(withTypedSlot(["09:00", "18:00"], "9:30")).toEqual({ slots: ["09:00", "09:30", "18:00"] });
    expect(withTypedSlot(["09:00"], "09:00")).toEqual({ slots: ["09:00"] });
  });
  it("flags a typed time that is not a time", () => {
    const out = withTypedSlot(["09:00"], "25:00");
    expect(out.slots).toEqual(["09:00"]);
    expect(out.error).toContain("25:00");
  });
});
