// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { StageDescription } from "../../api/models";
import { aStageDescription } from "../../test/fixtures";
import { StageCard } from "./StageCard";

afterEach(cleanup);

const CLUSTERING = aStageDescription({
  stats: [
    { key: "keywords_processed", label: "Keywords processed" },
    { key: "clusters_created", label: "Clusters created" },
  ],
});

const GATE: StageDescription = {
  ...CLUSTERING,
  number: 7,
  name: "Review Gate",
  kind: "Manual",
  function: null,
  consumes: "content in review",
  produces: "approved",
  stats: [{ key: "ready_for_review", label: "Ready for review" }],
};

describe("StageCard", () => {
  it("shows the stage the API describes: name, kind, status, pending and its labelled results", () => {
    render(
      <StageCard
        info={CLUSTERING}
        status="running"
        pending={1234}
        result={{ keywords_processed: 20, clusters_created: 7, items_failed: 0, reason: "" }}
        inputCount={40}
        processedCount={20}
      />,
    );
    const card = screen.getByTestId("stage-card-1");
    expect(card.dataset.status).toBe("running");
    expect(within(card).getByRole("heading").textContent).toBe("Keywords → Clusters");
    expect(within(card).getByText("AI")).toBeTruthy();
    expect(screen.getByTestId("stage-pending-1").textContent).toBe("1,234 pending");
    expect(within(card).getByText("20 of 40 keywords")).toBeTruthy();
    expect(within(card).getByText("Clusters created").nextSibling?.textContent).toBe("7");
    expect(within(card).queryByText("Failed items")).toBeNull(); // zero failures are left out
  });

  it("shows an AI stage's tokens and provider cost next to its credits", () => {
    render(
      <StageCard
        info={CLUSTERING}
        status="completed"
        pending={0}
        result={{
          keywords_processed: 20,
          credits_used: "6.00",
          prompt_tokens: 1200,
          completion_tokens: 345,
          provider_cost: "0.004125",
        }}
      />,
    );
    const card = screen.getByTestId("stage-card-1");
    expect(within(card).getByText("Credits used").nextSibling?.textContent).toBe("6");
    const tokens = within(card).getByText("Tokens").nextSibling as HTMLElement;
    expect(tokens.textContent).toBe("1,545");
    expect(tokens.title).toBe("1,200 prompt + 345 completion tokens");
    expect(within(card).getByText("Provider cost").nextSibling?.textContent).toBe("$0.0041");
  });

  it("shows no tokens or provider cost for a stage that made no AI calls", () => {
    render(
      <StageCard
        info={{ ...CLUSTERING, number: 3, kind: "Local" }}
        status="completed"
        pending={0}
        result={{ credits_used: "0.00", prompt_tokens: 0, completion_tokens: 0, provider_cost: "0" }}
      />,
    );
    const card = screen.getByTestId("stage-card-3");
    expect(within(card).getByText("Credits used")).toBeTruthy();
    expect(within(card).queryByText("Tokens")).toBeNull();
    expect(within(card).queryByText("Provider cost")).toBeNull();
  });

  it("explains the review gate and why a stage stopped early", () => {
    render(
      <StageCard
        info={GATE}
        status="partial"
        pending={null}
        result={{ ready_for_review: 3, reason: "Per-run limit reached." }}
      />,
    );
    expect(screen.getByTestId("stage-pending-7").textContent).toBe("…");
    expect(screen.getByText(/drafts wait for your review/)).toBeTruthy();
    expect(screen.getByText("Per-run limit reached.")).toBeTruthy();
  });
});
