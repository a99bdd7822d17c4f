import { describe, expect, it } from "vitest";
import type { AutomationConfig } from "../api/models";
import { formToPayload, toForm, validateConfig } from "./config";

const config: AutomationConfig = {
  is_enabled: true,
  frequency: "daily",
  scheduled_time: "02:00:00",
  stage_1_batch_size: 20,
  stage_2_batch_size: 1,
  stage_3_batch_size: 20,
  stage_4_batch_size: 1,
  stage_5_batch_size: 1,
  stage_6_batch_size: 1,
  within_stage_delay: 3,
  between_stage_delay: 5,
  max_concurrency: 4,
  stage_1_enabled: true,
  stage_2_enabled: true,
  stage_3_enabled: true,
  stage_4_enabled: true,
  stage_5_enabled: true,
  stage_6_enabled: true,
  stage_7_enabled: true,
  max_keywords_per_run: 0,
  max_clusters_per_run: 0,
  max_ideas_per_run: 0,
  max_tasks_per_run: 0,
  max_content_per_run: 0,
  max_images_per_run: 0,
  max_approvals_per_run: 0,
  max_credits_per_run: "0.00",
  clustering_method: "ai",
  last_run_at: null,
  next_run_at: "2026-01-06T02:00:00Z",
};

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
    };
    expect(Object.keys(validateConfig(form)).sort()).toEqual(
      [
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
