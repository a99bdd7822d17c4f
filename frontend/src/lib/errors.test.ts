import { describe, expect, it } from "vitest";
import { ApiError, describeError, describeImportError } from "./errors";

describe("describeError", () => {
  it("explains a 409 already running", () => {
    const e = new ApiError(409, { detail: "A run is already active.", code: "already_running" });
    expect(describeError(e)).toMatch(/already running/i);
  });

  it("shows the required credits and the balance of a 402", () => {
    const e = new ApiError(402, {
      detail: "Insufficient credits",
      code: "insufficient_credits",
      required: "1200.50",
      balance: "3.40",
    });
    const text = describeError(e);
    expect(text).toContain("Not enough credits");
    // The credits formatter of every other place: "1,200.5", not the API's "1200.50".
    expect(text).toContain("This needs 1,200.5 credits; the balance is 3.4.");
  });

  it("lists field errors of a 400", () => {
    const e = new ApiError(400, {
      detail: "Invalid input.",
      code: "invalid",
      stage_1_batch_size: ["Ensure this value is less than or equal to 20."],
    });
    expect(e.fieldErrors).toEqual({ stage_1_batch_size: ["Ensure this value is less than or equal to 20."] });
    expect(describeError(e)).toBe(
      "Please correct: stage 1 batch size: Ensure this value is less than or equal to 20.",
    );
  });

  it("says the server cannot be reached on a network error", () => {
    expect(describeError(new ApiError(0, { detail: "Network error" }))).toMatch(/Cannot reach the server/);
  });

  it("keeps the server's sentence for other 409s and handles plain errors", () => {
    expect(
      describeError(new ApiError(409, { detail: "The run is not paused.", code: "invalid_state" })),
    ).toBe("The run is not paused.");
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError("??")).toMatch(/Something went wrong/);
    expect(describeError(new ApiError(502, "<html>"))).toMatch(/HTTP 502/);
  });
});

describe("describeImportError", () => {
  it("states a refused file plainly", () => {
    const e = new ApiError(400, {
      detail: "Invalid input.",
      code: "invalid",
      file: ["The submitted file is empty."],
    });
    expect(describeImportError(e)).toBe("Nothing was imported: The submitted file is empty.");
  });
  it("falls back to the general wording for anything else", () => {
    expect(describeImportError(new ApiError(0, {}))).toMatch(/Cannot reach the server/);
    const e = new ApiError(400, { detail: "Invalid input.", file: ["Bad."], site_id: ["Required."] });
    expect(describeImportError(e)).toMatch(/^Please correct:/);
  });
});
