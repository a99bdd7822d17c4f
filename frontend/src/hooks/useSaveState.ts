import { useState } from "react";
import { ApiError, describeError, type FieldErrors } from "../lib/errors";

/** A settings section's save state: the server's field errors and a one-line outcome. */
export function useSaveState() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const fail = (error: unknown) => {
    setMessage({ tone: "error", text: describeError(error) });
    if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors);
  };
  return { errors, setErrors, message, setMessage, fail };
}
