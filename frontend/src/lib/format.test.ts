import { describe, expect, it } from "vitest";
import { formatCredits, formatUsd } from "./format";

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

describe("formatCredits", () => {
  it("is the one way credits read: grouped, at most two decimals, no trailing zeros", () => {
    expect(formatCredits("2.40")).toBe("2.4");
    expect(formatCredits(2.4)).toBe("2.4");
    expect(formatCredits("100000.00")).toBe("100,000");
    expect(formatCredits("0.125")).toBe("0.13");
    expect(formatCredits(null)).toBe("0");
  });
});
