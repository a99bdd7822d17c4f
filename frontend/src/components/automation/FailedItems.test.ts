import { describe, expect, it } from "vitest";
import type { FailedItem, Paginated } from "../../api/models";
import { allPages, retryBatches } from "./FailedItems";

const item = (stage: number, id: number) => ({ stage, id }) as FailedItem;

describe("retryBatches", () => {
  it("groups the failed items' ids by stage, lowest stage first", () => {
    expect(retryBatches([item(4, 9), item(1, 3), item(4, 7)])).toEqual([
      { stage: 1, ids: [3] },
      { stage: 4, ids: [9, 7] },
    ]);
    expect(retryBatches([])).toEqual([]);
  });

  it("splits a stage into requests of at most the API's bound, each id once", () => {
    const items = [1, 2, 3, 4, 5, 3].map((id) => item(5, id));
    expect(retryBatches(items, 2)).toEqual([
      { stage: 5, ids: [1, 2] },
      { stage: 5, ids: [3, 4] },
      { stage: 5, ids: [5] },
    ]);
    const many = Array.from({ length: 2500 }, (_, i) => item(4, i + 1));
    expect(retryBatches(many).map((b) => b.ids.length)).toEqual([1000, 1000, 500]);
  });
});

describe("allPages", () => {
  it("reads every page until there is no next one", async () => {
    const pages: Record<number, Paginated<number>> = {
      1: { count: 5, next: "?page=2", previous: null, results: [1, 2] },
      2: { count: 5, next: "?page=3", previous: "?page=1", results: [3, 4] },
      3: { count: 5, next: null, previous: "?page=2", results: [5] },
    };
    const asked: number[] = [];
    const all = await allPages(async (page) => {
      asked.push(page);
      return pages[page];
    });
    expect(all).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual([1, 2, 3]);
  });
});
