// @vitest-environment jsdom
import { cleanup, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunDetail, RunProgress, StageDescription } from "../api/models";
import { SiteProvider } from "../hooks/useSite";
import { aGlobalProgress, aRun, aStageDescription } from "../test/fixtures";
import { RunPage } from "./RunPage";
import { jsonResponse, renderWithQueries } from "../test/render";

const RUN_ID = "run_20260105_140523_manual_3f9a";

const STAGES: StageDescription[] = [
  aStageDescription(),
  aStageDescription({
    number: 3,
    name: "Ideas → Tasks",
    kind: "Local",
    function: null,
    consumes: "ideas",
    produces: "tasks",
    processed_key: "ideas_processed",
    created_key: "tasks_created",
    stats: [{ key: "tasks_created", label: "Tasks created" }],
  }),
];

const STAGE_1 = {
  status: "completed",
  clusters_created: 7,
  credits_used: "6.00",
  prompt_tokens: 1200,
  completion_tokens: 345,
  provider_cost: "0.004125",
};
const STAGE_3 = {
  status: "completed",
  tasks_created: 4,
  credits_used: "0.00",
  prompt_tokens: 0,
  provider_cost: "0",
};

const run = aRun({
  run_id: RUN_ID,
  status: "completed",
  current_stage: 7,
  completed_at: "2026-01-05T14:15:23Z",
  total_credits_used: "6.00",
  prompt_tokens: 1200,
  completion_tokens: 345,
  provider_cost: "0.004125",
  stage_1_result: STAGE_1,
  stage_3_result: STAGE_3,
});

const stage = (info: StageDescription, result: RunProgress["stages"][number]["result"]) => ({
  number: info.number,
  name: info.name,
  type: info.kind,
  status: "completed",
  input_count: 0,
  processed_count: 0,
  remaining_count: 0,
  planned_count: 0,
  result,
});

const PROGRESS: RunProgress = {
  run,
  global_progress: aGlobalProgress({ finished: true }),
  stages: [stage(STAGES[0], STAGE_1), stage(STAGES[1], STAGE_3)],
  metrics: {
    credits_used: "6.00",
    duration_seconds: 600,
    prompt_tokens: 1200,
    completion_tokens: 345,
    provider_cost: "0.004125",
  },
  initial_snapshot: {},
};
const DETAIL: RunDetail = { run, failed_items: [], failed_items_count: 0, remaining: {} };

const ANSWERS: Record<string, unknown> = {
  "/api/v1/sites/": { count: 0, next: null, previous: null, results: [] },
  "/api/v1/automation/stages/": STAGES,
  "/api/v1/automation/run_progress/": PROGRESS,
  "/api/v1/automation/run_detail/": DETAIL,
  "/api/v1/automation/logs/": { run_id: RUN_ID, lines: 0, log: "" },
};

function serve() {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      const path = new URL(url, "http://test").pathname;
      const answer = ANSWERS[path];
      return jsonResponse(answer ?? { detail: "Not found" }, answer === undefined ? 404 : 200);
    }),
  );
}

function renderPage() {
  return renderWithQueries(
    <SiteProvider>
      <MemoryRouter initialEntries={[`/automation/runs/${RUN_ID}`]}>
        <Routes>
          <Route path="/automation/runs/:runId" element={<RunPage />} />
        </Routes>
      </MemoryRouter>
    </SiteProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("RunPage", () => {
  it("shows the run's tokens and provider cost next to its credits", async () => {
    serve();
    renderPage();
    const timings = await screen.findByTestId("run-timings");
    expect(within(timings).getByText("Credits used").nextSibling?.textContent).toBe("6");
    expect(screen.getByTestId("run-tokens").textContent).toBe("1,545");
    expect(screen.getByTestId("run-tokens").title).toBe("1,200 prompt + 345 completion tokens");
    expect(screen.getByTestId("run-provider-cost").textContent).toBe("$0.0041");
  });

  it("shows each AI stage's tokens and provider cost next to its credits, none for a local stage", async () => {
    serve();
    renderPage();
    const ai = await screen.findByTestId("stage-card-1");
    expect(within(ai).getByText("Credits used").nextSibling?.textContent).toBe("6");
    expect(within(ai).getByText("Tokens").nextSibling?.textContent).toBe("1,545");
    expect(within(ai).getByText("Provider cost").nextSibling?.textContent).toBe("$0.0041");
    const local = screen.getByTestId("stage-card-3");
    expect(within(local).getByText("Tasks created").nextSibling?.textContent).toBe("4");
    expect(within(local).queryByText("Tokens")).toBeNull();
    expect(within(local).queryByText("Provider cost")).toBeNull();
  });
});
