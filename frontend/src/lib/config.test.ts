import { describe, expect, it } from "vitest";
import { anAutomationConfig } from "../test/fixtures";
import { formToPayload, toForm, validateConfig } from "./config";

const config = anAutomationConfig();

describe("config form", () => {
  it("accepts the server's own config and round-trips it", () => {
    const form = toForm(config);
    expect(form.scheduled_time).toBe("02:00");
    expect(validateConfig(form)).toEqual({});
    const payload = formToPayload(form);
    expect(payload.stage_1_batch_size).toBe(20);
    expect(payload.max_concurrency).toBe(4);
    expect(payload.scheduled_time).toBe("02:00");
    expect(payload.is_enabled).toBe(true);
    expect(payload.max_credits_per_run).toBe("0.00");
    expect(payload.clustering_method).toBe("ai");
    expect("next_run_at" in payload).toBe(false);
  });

  it("flags each bad field by name", () => {
    const form = {
      ...toForm(config),
      scheduled_time: "25:00",
      stage_2_batch_size: "0",
      within_stage_delay: "-1",
      max_concurrency: "17",
      max_tasks_per_run: "1.5",
      max_credits_per_run: "abc",
      frequency: "hourly",
      clustering_method: "kmeans",
    };
    expect(Object.keys(validateConfig(form)).sort()).toEqual(
      [
        "clustering_method",
        "frequency",
        "max_concurrency",
        "max_credits_per_run",
        "max_tasks_per_run",
        "scheduled_time",
        "stage_2_batch_size",
        "within_stage_delay",
      ].sort(),
    );
  });
});
