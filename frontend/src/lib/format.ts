// Display helpers: credits, tokens, provider cost, dates, months, durations.

export function toNumber(value: string | number | null | undefined): number {
  const n = typeof value === "number" ? value : Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function formatCredits(value: string | number | null | undefined): string {
  return toNumber(value).toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** A provider bill in USD: cents, or fractions of a cent shown to 4 places (local models: $0). */
export function formatUsd(value: string | number | null | undefined): string {
  const amount = toNumber(value);
  if (amount > 0 && amount < 0.01) return `$${amount.toFixed(4)}`;
  return `$${amount.toFixed(2)}`;
}

/** Tokens sent and received, summed, with thousands separators ("1,545"). */
export function formatTokens(
  prompt: number | null | undefined,
  completion: number | null | undefined,
): string {
  return ((prompt ?? 0) + (completion ?? 0)).toLocaleString("en-US");
}

/** The tooltip that splits formatTokens: "1,200 prompt + 345 completion tokens". */
export function tokenSplit(prompt: number | null | undefined, completion: number | null | undefined): string {
  return `${(prompt ?? 0).toLocaleString("en-US")} prompt + ${(completion ?? 0).toLocaleString("en-US")} completion tokens`;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "2026-01" for the current calendar month in UTC, the way the API names months. */
export function currentMonth(now: Date = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** "January 2026" for "2026-01". */
export function monthName(month: string): string {
  const [year, m] = month.split("-").map(Number);
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleString("en-US", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

export function durationBetween(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return "—";
  const ms = (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** "1 keyword", "2 keywords", "1 row", with an irregular plural when given. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
