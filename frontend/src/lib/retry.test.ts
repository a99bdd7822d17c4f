import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./errors";
import { isWorkerStillFinishing, retryWhile } from "./retry";

const finishing = () =>
  new ApiError(409, {
    detail: "Cannot resume run_1 yet: its worker is still finishing its current item. Try again in a moment.",
    code: "lock_held",
  });
const otherRun = () =>
  new ApiError(409, {
    detail: "Cannot resume run_1: the site's automation lock is held by run run_2.",
    code: "lock_held",
  });
const noSleep = () => Promise.resolve();

describe("isWorkerStillFinishing", () => {
  it("is the paused worker's short wait only", () => {
    expect(isWorkerStillFinishing(finishing())).toBe(true);
    expect(isWorkerStillFinishing(otherRun())).toBe(false);
    expect(
      isWorkerStillFinishing(
        new ApiError(409, { detail: "A run is already active.", code: "already_running" }),
      ),
    ).toBe(false);
    expect(isWorkerStillFinishing(new Error("still finishing"))).toBe(false);
  });
});

describe("retryWhile", () => {
  it("retries while the worker finishes, then returns the answer", async () => {
    const fn = vi
      .fn()
      .mockRejectedValueOnce(finishing())
      .mockRejectedValueOnce(finishing())
      .mockResolvedValue({ status: "running" });
    const onRetry = vi.fn();
    await expect(
      retryWhile(fn, isWorkerStillFinishing, { attempts: 5, delayMs: 10, sleep: noSleep, onRetry }),
    ).resolves.toEqual({ status: "running" });
    expect(fn).toHaveBeenCalledTimes(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it("does not retry a real conflict", async () => {
    const fn = vi.fn().mockRejectedValue(otherRun());
    await expect(
      retryWhile(fn, isWorkerStillFinishing, { attempts: 5, delayMs: 10, sleep: noSleep }),
    ).rejects.toThrow(/held by run run_2/);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("gives up after the last attempt with the server's message", async () => {
    const fn = vi.fn().mockRejectedValue(finishing());
    await expect(
      retryWhile(fn, isWorkerStillFinishing, { attempts: 3, delayMs: 10, sleep: noSleep }),
    ).rejects.toThrow(/Try again in a moment/);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
