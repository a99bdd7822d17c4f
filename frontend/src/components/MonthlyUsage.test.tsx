// @vitest-environment jsdom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AIUsage } from "../api/models";
import { currentMonth } from "../lib/format";
import { MonthlyUsage } from "./MonthlyUsage";
import { jsonResponse, renderWithQueries } from "../test/render";

const THIS_MONTH = currentMonth();
const USAGE: AIUsage = {
  months: [
    {
      month: THIS_MONTH,
      requests: 12,
      prompt_tokens: 120000,
      completion_tokens: 34500,
      provider_cost: "1.234500",
      credits: "250.50",
    },
    {
      month: "2024-11",
      requests: 1,
      prompt_tokens: 800,
      completion_tokens: 200,
      provider_cost: "0.000900",
      credits: "3.00",
    },
  ],
};

function serve(answer: AIUsage): string[] {
  const urls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      urls.push(url);
      return jsonResponse(answer);
    }),
  );
  return urls;
}

function renderCard() {
  return renderWithQueries(<MonthlyUsage />);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("MonthlyUsage", () => {
  it("shows this month's credits, tokens and provider cost from the usage API", async () => {
    const urls = serve(USAGE);
    renderCard();
    expect((await screen.findByTestId("usage-credits")).textContent).toBe("250.5");
    expect(screen.getByTestId("usage-tokens").textContent).toBe("154,500");
    expect(screen.getByText("120,000 prompt + 34,500 completion tokens")).toBeTruthy();
    expect(screen.getByTestId("usage-provider-cost").textContent).toBe("$1.23");
    expect(screen.getByTestId("usage-requests").textContent).toBe("12 requests");
    expect(screen.getByRole("heading").textContent).toBe("Usage this month");
    expect(urls).toEqual(["/api/v1/billing/usage/?months=12"]);
  });

  it("shows a previous month picked in the month selector", async () => {
    serve(USAGE);
    renderCard();
    await screen.findByTestId("usage-credits");
    await userEvent.selectOptions(screen.getByLabelText("Usage month"), "2024-11");
    expect(screen.getByRole("heading").textContent).toBe("Usage in November 2024");
    expect(screen.getByTestId("usage-credits").textContent).toBe("3");
    expect(screen.getByTestId("usage-tokens").textContent).toBe("1,000");
    expect(screen.getByTestId("usage-provider-cost").textContent).toBe("$0.0009");
    expect(screen.getByTestId("usage-requests").textContent).toBe("1 request");
  });

  it("shows zeros for a month without AI requests", async () => {
    serve({ months: [] });
    renderCard();
    expect((await screen.findByTestId("usage-credits")).textContent).toBe("0");
    expect(screen.getByTestId("usage-tokens").textContent).toBe("0");
    expect(screen.getByTestId("usage-provider-cost").textContent).toBe("$0.00");
  });
});
