// Client checks of the publishing settings form: the same rules the server applies, so the form shows errors before a round trip.
import type { PublishingSettings } from "../api/models";

export const WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validatePublishing(s: PublishingSettings): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (!s.publish_days.length) errors.publish_days = ["Choose at least one day."];
  if (s.publish_days.some((d) => !(WEEK_DAYS as readonly string[]).includes(d)))
    errors.publish_days = ["Days are mon … sun."];
  if (s.scheduling_mode === "time_slots") {
    if (!s.publish_time_slots.length) errors.publish_time_slots = ["Add at least one time slot."];
    else if (s.publish_time_slots.some((t) => !TIME.test(t)))
      errors.publish_time_slots = ["Use times like 09:00."];
  }
  if (s.scheduling_mode === "stagger") {
    const start = (s.stagger_start_time ?? "").slice(0, 5);
    const end = (s.stagger_end_time ?? "").slice(0, 5);
    if (!TIME.test(start)) errors.stagger_start_time = ["Use a time like 09:00."];
    if (!TIME.test(end)) errors.stagger_end_time = ["Use a time like 18:00."];
    else if (TIME.test(start) && start >= end) errors.stagger_end_time = ["The end must be after the start."];
    const interval = Number(s.stagger_interval_minutes);
    if (!Number.isInteger(interval) || interval < 1 || interval > 1440)
      errors.stagger_interval_minutes = ["Minutes from 1 to 1440."];
  }
  if (!Number.isInteger(Number(s.queue_limit)) || Number(s.queue_limit) < 1)
    errors.queue_limit = ["At least 1."];
  const score = Number(s.min_quality_score);
  if (!Number.isInteger(score) || score < 0 || score > 100)
    errors.min_quality_score = ["A whole number from 0 (off) to 100."];
  return errors;
}

/** "9:5" / "09:05:00" -> "09:05"; anything else is returned trimmed for the validator to flag. */
export function normaliseTime(value: string): string {
  const m = value.trim().match(/^(\d{1,2}):(\d{1,2})(?::\d{2})?$/);
  return m ? `${m[1].padStart(2, "0")}:${m[2].padStart(2, "0")}` : value.trim();
}

/**
 * The slot list with the time still typed in the "new slot" box. Saving with a typed but
 * un-added time used to drop it silently; now a valid one is saved and a bad one is flagged.
 */
export function withTypedSlot(slots: string[], typed: string): { slots: string[]; error?: string } {
  if (!typed.trim()) return { slots };
  const slot = normaliseTime(typed);
  if (!TIME.test(slot)) return { slots, error: `"${typed.trim()}" is not a time like 09:00.` };
  return { slots: slots.includes(slot) ? slots : [...slots, slot].sort() };
}
