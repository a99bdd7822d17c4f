import { describe, expect, it } from "vitest";
import { formatUsd } from "./format";

describe("formatUsd", () => {
  it("shows dollars and cents", () => {
    expect(formatUsd("1.5")).toBe("$1.50");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(undefined)).toBe("$0.00");
  });
  it("keeps fractions of a cent visible", () => {
    expect(formatUsd("0.000123")).toBe("$0.0001");
    expect(formatUsd("0.0042")).toBe("$0.0042");
  });
});
