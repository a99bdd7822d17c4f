// @vitest-environment jsdom
import { renderHook } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { useOnChange } from "./useOnChange";

describe("useOnChange", () => {
  it("sets state from a value on the first render and on each change, never on an equal value", () => {
    const calls: Array<[string, string | undefined]> = [];
    const { result, rerender } = renderHook(
      ({ value }) => {
        const [copy, setCopy] = useState("");
        useOnChange(value, (next, previous) => {
          calls.push([next, previous]);
          setCopy(next.toUpperCase());
        });
        return copy;
      },
      { initialProps: { value: "a" } },
    );
    expect(result.current).toBe("A"); // in place on the first paint
    rerender({ value: "a" });
    rerender({ value: "b" });
    expect(result.current).toBe("B");
    expect(calls).toEqual([
      ["a", undefined],
      ["b", "a"],
    ]);
  });
});
