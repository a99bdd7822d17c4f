import { describe, expect, it } from "vitest";
import type { FailedItem } from "../../api/types";
import { retryBatches } from "./FailedItems";

const item = (stage: number, id: number) => ({ stage, id }) as FailedItem;

describe("retryBatches", () => {
  it("groups the failed items' ids by stage, lowest stage first", () => {
    expect(retryBatches([item(4, 9), item(1, 3), item(4, 7)])).toEqual([
      { stage: 1, ids: [3] },
      { stage: 4, ids: [9, 7] },
    ]);
    expect(retryBatches([])).toEqual([]);
  });
});
