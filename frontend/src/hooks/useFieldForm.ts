import { useState } from "react";
import { ApiError, describeError, type FieldErrors } from "../lib/errors";

/**
 * A form's values, its field errors and its summary line, handled alike in every form: editing a
 * field clears that field's error, and a rejected request puts its summary on top and the
 * server's 400 field errors beside the fields.
 */
export function useFieldForm<F extends object>(initial: () => F) {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const setField = <K extends keyof F & string>(key: K, value: F[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((old) => {
      if (!old[key]) return old;
      const next = { ...old };
      delete next[key];
      return next;
    });
  };
  /** For useMutation's onError: `message` replaces the generic sentence where a code says more. */
  const fail = (error: unknown, message: string = describeError(error)) => {
    setSummary(message);
    if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors);
  };
  return { form, errors, setErrors, summary, setSummary, setField, fail };
}
