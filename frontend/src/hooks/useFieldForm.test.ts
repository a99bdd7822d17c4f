// @vitest-environment jsdom
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError, describeError } from "../lib/errors";
import { useFieldForm } from "./useFieldForm";

describe("useFieldForm", () => {
  it("puts a 400's field errors beside the fields and clears one when it is edited", () => {
    const { result } = renderHook(() => useFieldForm(() => ({ name: "", domain: "" })));
    const rejected = new ApiError(400, { name: ["Required."], domain: ["Bad domain."] });
    act(() => result.current.fail(rejected));
    expect(result.current.summary).toBe(describeError(rejected));
    expect(result.current.errors).toEqual({ name: ["Required."], domain: ["Bad domain."] });

    act(() => result.current.setField("domain", "blog.example.com"));
    expect(result.current.form).toEqual({ name: "", domain: "blog.example.com" });
    expect(result.current.errors).toEqual({ name: ["Required."] });
  });

  it("keeps the fields' errors on other failures and takes a more specific summary", () => {
    const { result } = renderHook(() => useFieldForm(() => ({ title: "x" })));
    act(() => result.current.fail(new ApiError(409, { detail: "Conflict." }), "Already published."));
    expect(result.current.summary).toBe("Already published.");
    expect(result.current.errors).toEqual({});
  });
});
