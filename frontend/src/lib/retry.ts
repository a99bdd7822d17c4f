// Retrying a request the server refused only for a moment.
import { ApiError } from "./errors";

/**
 * Resume right after Pause: the server answers 409 `lock_held` ("... its worker is still
 * finishing its current item ...") until the paused worker has stopped. That is a wait, not
 * a mistake, so it is retried; a lock held by another run is a real conflict and is not.
 */
export function isWorkerStillFinishing(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 409 &&
    error.code === "lock_held" &&
    /still finishing/i.test(error.message)
  );
}

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  attempts: number;
  delayMs: number;
  /** Called before each new attempt (e.g. to tell the user we are waiting). */
  onRetry?: (attempt: number, error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Call `fn` until it succeeds, fails with an error `shouldRetry` refuses, or attempts run out (last error thrown). */
export async function retryWhile<T>(
  fn: () => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? wait;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !shouldRetry(error)) throw error;
      options.onRetry?.(attempt + 1, error);
      await sleep(options.delayMs);
    }
  }
}
