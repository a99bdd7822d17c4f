"""Rules for publishing settings, shared by the model (admin) and the API serializer.

Each check returns {field: [messages]} so both callers report field errors the same way.
"""

import re
from datetime import time
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MIN_INTERVAL, MAX_INTERVAL = 1, 1440


def parse_hhmm(value: object) -> time:
    """'09:30' -> time(9, 30); ValueError for anything else (no seconds, 24-hour clock)."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _HHMM.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a time in HH:MM format (00:00-23:59).")
    return time(int(match.group(1)), int(match.group(2)))


def day_errors(days: object) -> list[str]:
    if not isinstance(days, list):
        return ["Must be a list of days: mon, tue, wed, thu, fri, sat, sun."]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        return [f"Unknown day(s) {bad}; use mon, tue, wed, thu, fri, sat, sun."]
    if len(set(days)) != len(days):
        return ["Days must not repeat."]
    return []


def slot_errors(slots: object) -> list[str]:
    if not isinstance(slots, list):
        return ["Must be a list of HH:MM times."]
    errors = []
    for slot in slots:
        try:
            parse_hhmm(slot)
        except ValueError as exc:
            errors.append(str(exc))
    if not errors and len(set(slots)) != len(slots):
        errors.append("Time slots must not repeat.")
    return errors


def settings_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Cross-field and per-field checks over a complete set of settings values."""
    errors: dict[str, list[str]] = {}
    for field, check in (("publish_days", day_errors), ("publish_time_slots", slot_errors)):
        if problems := check(values.get(field)):
            errors[field] = problems
    if values.get("scheduling_mode") == "time_slots" and not errors.get("publish_time_slots"):
        if not values.get("publish_time_slots"):
            errors["publish_time_slots"] = ["At least one time slot is required in time_slots mode."]
    times = {}
    for field in ("stagger_start_time", "stagger_end_time"):
        try:
            times[field] = parse_hhmm(values.get(field))
        except ValueError as exc:
            errors[field] = [str(exc)]
    if len(times) == 2 and times["stagger_start_time"] >= times["stagger_end_time"]:
        errors["stagger_end_time"] = ["Must be later than stagger_start_time."]
    interval = values.get("stagger_interval_minutes")
    if not isinstance(interval, int) or isinstance(interval, bool) or not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        errors["stagger_interval_minutes"] = [
            f"Must be a whole number of minutes from {MIN_INTERVAL} to {MAX_INTERVAL}."
        ]
    queue_limit = values.get("queue_limit")
    if not isinstance(queue_limit, int) or isinstance(queue_limit, bool) or queue_limit < 1:
        errors["queue_limit"] = ["Must be at least 1."]
    score = values.get("min_quality_score", 0)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        errors["min_quality_score"] = ["Must be a whole number from 0 (off) to 100."]
    for field in ("daily_target", "weekly_target", "monthly_target"):
        value = values.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = ["Must be a whole number ≥ 0."]
    return errors
