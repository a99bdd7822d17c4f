// @vitest-environment jsdom
import { cleanup, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ImportResult } from "../api/models";
import { renderWithQueries, stubApi } from "../test/render";
import { ImportCard } from "./KeywordsPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function importFile(result: ImportResult) {
  const sent = stubApi({ "POST /api/v1/planner/keywords/import/": result });
  renderWithQueries(<ImportCard siteId={1} />);
  const csv = new File(["keyword\ncold brew coffees\n"], "keywords.csv", { type: "text/csv" });
  await userEvent.upload(screen.getByTestId("csv-input"), csv);
  await userEvent.click(screen.getByRole("button", { name: "Import keywords" }));
  await screen.findByTestId("import-summary");
  return sent;
}

describe("ImportCard summary", () => {
  it("lists the imported keywords that are near-duplicates of the site's", async () => {
    await importFile({
      created: 2,
      duplicates: 0,
      errors: [],
      near_duplicates: [
        { keyword: "cold brew coffees", existing: "cold brew coffee" },
        { keyword: "coffee grinder 2026", existing: "coffee grinder" },
      ],
    });
    const list = screen.getByTestId("import-near-duplicates");
    expect(list.textContent).toContain("2 keywords differ from one on the site");
    const items = within(list)
      .getAllByRole("listitem")
      .map((li) => li.textContent);
    expect(items).toEqual([
      "“cold brew coffees” is close to “cold brew coffee”",
      "“coffee grinder 2026” is close to “coffee grinder”",
    ]);
  });

  it("shows no near-duplicate list when there are none", async () => {
    await importFile({ created: 1, duplicates: 0, errors: [], near_duplicates: [] });
    expect(screen.queryByTestId("import-near-duplicates")).toBeNull();
  });
});
