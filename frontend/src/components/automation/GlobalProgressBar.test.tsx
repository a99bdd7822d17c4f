// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { aGlobalProgress, aRun } from "../../test/fixtures";
import { GlobalProgressBar } from "./GlobalProgressBar";

afterEach(cleanup);

const run = (overrides: Parameters<typeof aRun>[0] = {}) =>
  aRun({ current_stage: 4, total_credits_used: "12.50", ...overrides });

describe("GlobalProgressBar", () => {
  it("shows the server's percentage and totals unchanged", () => {
    render(
      <GlobalProgressBar
        run={run()}
        progress={aGlobalProgress({
          percentage: 30,
          completed_items: 44,
          total_items: 146,
          remaining_items: 102,
          eta_seconds: 95,
        })}
        durationSeconds={61}
      />,
    );
    expect(screen.getByTestId("progress-text").textContent).toContain("30% · 44 of 146 items");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("30");
    expect(screen.getByTestId("run-duration").textContent).toBe("1m 1s");
    expect(screen.getByTestId("run-eta").textContent).toBe("1m 35s");
  });

  it("says what a stopped run did and left, with its reason in amber", () => {
    render(
      <GlobalProgressBar
        run={run({ status: "cancelled", stopped_reason: "Cancelled by user" })}
        progress={aGlobalProgress({
          percentage: 4,
          completed_items: 4,
          total_items: 100,
          remaining_items: 96,
        })}
      />,
    );
    expect(screen.getByTestId("progress-text").textContent).toContain("4 items done, 96 left");
    expect(screen.getByTestId("stopped-reason").dataset.severity).toBe("warning");
    expect(screen.queryByTestId("run-eta")).toBeNull();
  });

  it("shows a failure in red as an alert, with its error message", () => {
    render(
      <GlobalProgressBar
        run={run({ status: "failed", error_message: "Unexpected error at stage 2", stopped_reason: "" })}
        progress={aGlobalProgress({
          percentage: 20,
          completed_items: 2,
          total_items: 10,
          remaining_items: 8,
        })}
      />,
    );
    const reason = screen.getByRole("alert");
    expect(reason.dataset.severity).toBe("error");
    expect(reason.textContent).toBe("Failed: Unexpected error at stage 2");
  });
});
