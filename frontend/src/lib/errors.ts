// API errors as readable sentences. The API answers {"detail", "code", ...field errors}
// (igny8_core/api/errors.py); a network failure has no response at all (status 0).
import { formatCredits } from "./format";

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: unknown, fallback = "") {
    const data =
      body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    super(typeof data.detail === "string" ? data.detail : fallback || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = typeof data.code === "string" ? data.code : "";
    this.body = data;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Per-field messages of a 400 answer: {"batch_size": ["Ensure ..."]} */
  get fieldErrors(): FieldErrors {
    return extractFieldErrors(this.body);
  }
}

const NON_FIELD_KEYS = new Set(["detail", "code", "required", "balance", "estimate", "errors"]);

export function extractFieldErrors(body: Record<string, unknown>): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(body)) {
    if (NON_FIELD_KEYS.has(key)) continue;
    if (Array.isArray(value)) out[key] = value.map((v) => String(v));
    else if (typeof value === "string") out[key] = [value];
  }
  if (Array.isArray(body.non_field_errors)) out.non_field_errors = body.non_field_errors.map(String);
  return out;
}

function humanField(name: string): string {
  return name.replace(/_/g, " ");
}

/** A 402 / insufficient_credits answer: the message gets a link to the credits page. */
export function isCreditsError(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 402 || error.code === "insufficient_credits");
}

/** One sentence a user can act on, for any error thrown by the API client or fetch. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof Error && error.message) return error.message;
    return "Something went wrong. Please try again.";
  }
  const { status, code, body } = error;
  if (status === 0)
    return "Cannot reach the server. Check your connection; the dashboard retries on its own.";
  if (status === 402 || code === "insufficient_credits") {
    const required = body.required ?? body.estimate;
    const balance = body.balance ?? body.current_balance;
    const amounts =
      required !== undefined && balance !== undefined
        ? ` This needs ${formatCredits(required as string)} credits; the balance is ${formatCredits(balance as string)}.`
        : "";
    return `Not enough credits.${amounts} Add credits or lower the per-run limits.`;
  }
  if (status === 409) {
    if (code === "already_running")
      return "A run is already running for this site (already running). Wait for it or cancel it first.";
    return error.message && !error.message.startsWith("HTTP")
      ? error.message
      : "That is not possible in the run's current state.";
  }
  if (status === 400) {
    const fields = extractFieldErrors(body);
    const parts = Object.entries(fields).map(([k, msgs]) =>
      k === "non_field_errors" ? msgs.join(" ") : `${humanField(k)}: ${msgs.join(" ")}`,
    );
    if (parts.length) return `Please correct: ${parts.join("; ")}`;
    return error.message && error.message !== "Invalid input." ? error.message : "The request was not valid.";
  }
  if (status === 401 || status === 403) return "Your session has ended. Please sign in again.";
  if (status === 404) return "Not found. It may have been deleted, or it belongs to another account.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again in a moment.`;
  return error.message;
}

/** A refused CSV upload: the file's own problem in plain words ("Nothing was imported: ..."). */
export function describeImportError(error: unknown): string {
  if (error instanceof ApiError && error.status === 400) {
    const file = error.fieldErrors.file;
    if (file?.length && Object.keys(error.fieldErrors).length === 1)
      return `Nothing was imported: ${file.join(" ")}`;
  }
  return describeError(error);
}
