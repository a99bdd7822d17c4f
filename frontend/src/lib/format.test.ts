import { describe, expect, it } from "vitest";
import { formatCredits, formatTokens, formatUsd, monthName, tokenSplit } from "./format";

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

describe("formatTokens", () => {
  it("sums prompt and completion tokens with thousands separators", () => {
    expect(formatTokens(1200, 345)).toBe("1,545");
    expect(formatTokens(undefined, null)).toBe("0");
    expect(tokenSplit(1200, 345)).toBe("1,200 prompt + 345 completion tokens");
  });
});

describe("monthName", () => {
  it("names the API's YYYY-MM month", () => {
    expect(monthName("2026-01")).toBe("January 2026");
    expect(monthName("2024-11")).toBe("November 2024");
  });
});
