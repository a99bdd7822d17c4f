// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useParams } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { RunHistory as RunRow } from "../../api/models";
import { aHistoryRun } from "../../test/fixtures";
import { RunHistory } from "./RunHistory";

afterEach(cleanup);

const run = (id: string, status: RunRow["status"], trigger: RunRow["trigger_type"]): RunRow =>
  aHistoryRun({ run_id: id, status, trigger_type: trigger, total_credits_used: "3" });

function RunPageStub() {
  return <p data-testid="opened">{useParams().runId}</p>;
}

function renderHistory(runs: RunRow[]) {
  // No siteId: the filters apply to the given rows without asking the server.
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/automation"]}>
        <Routes>
          <Route path="/automation" element={<RunHistory runs={runs} loading={false} />} />
          <Route path="/automation/runs/:runId" element={<RunPageStub />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("RunHistory", () => {
  const runs = [run("run_a", "completed", "manual"), run("run_b", "failed", "scheduled")];

  it("filters by status and trigger", async () => {
    renderHistory(runs);
    expect(screen.getAllByTestId("history-row")).toHaveLength(2);
    await userEvent.selectOptions(screen.getByLabelText("Filter by status"), "failed");
    expect(screen.getAllByTestId("history-row").map((r) => r.dataset.runId)).toEqual(["run_b"]);
    await userEvent.selectOptions(screen.getByLabelText("Filter by trigger"), "manual");
    expect(screen.queryAllByTestId("history-row")).toHaveLength(0);
    expect(screen.getByText("No run matches these filters")).toBeTruthy();
  });

  it("shows each run's tokens and what the provider bills", () => {
    renderHistory([{ ...runs[0], prompt_tokens: 1200, completion_tokens: 345, provider_cost: "0.004125" }]);
    const row = screen.getByTestId("history-row");
    expect(row.textContent).toContain("1,545");
    expect(row.textContent).toContain("$0.0041");
  });

  it("opens a run's own page from its row", async () => {
    renderHistory(runs);
    await userEvent.click(screen.getByRole("link", { name: "run_b" }));
    expect(screen.getByTestId("opened").textContent).toBe("run_b");
  });
});
