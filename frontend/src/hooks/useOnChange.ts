import { useState } from "react";

const UNSEEN = Symbol("unseen");

/**
 * Calls `onChange(value, previous)` while rendering, on the first render and whenever `value`
 * changes (Object.is): React's "adjust state when a prop changes" pattern. An effect would
 * render the stale state first and then again; state set here is in place for the first paint.
 * `onChange` may only set state of the component calling this hook.
 */
export function useOnChange<T>(value: T, onChange: (value: T, previous: T | undefined) => void): void {
  const [seen, setSeen] = useState<T | typeof UNSEEN>(UNSEEN);
  if (!Object.is(seen, value)) {
    setSeen(value);
    onChange(value, seen === UNSEEN ? undefined : seen);
  }
}
