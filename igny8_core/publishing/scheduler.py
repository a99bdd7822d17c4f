"""Publishing slot calculation. Pure: no database, no clock — everything comes in as arguments.

Modes (times are wall-clock times in the site's time zone):
- time_slots: the configured HH:MM slots on every allowed day;
- stagger:    from stagger_start to stagger_end (both inclusive) every interval minutes, allowed days;
- immediate:  one item per minute from now on (whole minutes), any day — "as soon as approved".

A slot holds one item: free slots exclude `taken` (the instants of items already scheduled).
At most `queue_limit` items are scheduled at once (`scheduled_count` already are). Slots are
looked for up to LOOKAHEAD_DAYS ahead. Items are placed in the given order, earliest slot first;
every item that cannot be placed comes back with a code and a human reason.

DST: a slot time that does not exist on a spring-forward day (e.g. 02:30 in Europe/Berlin on the
last Sunday of March) is skipped that day; an ambiguous one on a fall-back day is used once, at
its first occurrence.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .validation import WEEKDAYS, parse_hhmm

LOOKAHEAD_DAYS = 90
TIME_SLOTS, STAGGER, IMMEDIATE = "time_slots", "stagger", "immediate"


@dataclass(frozen=True)
class ScheduleRules:
    mode: str
    tz: ZoneInfo
    days: frozenset[int]  # weekday numbers, Monday = 0
    time_slots: tuple[time, ...] = ()
    stagger_start: time = time(9, 0)
    stagger_end: time = time(18, 0)
    interval_minutes: int = 15
    queue_limit: int = 100

    @classmethod
    def from_settings(cls, settings: Any, tz: ZoneInfo | str) -> "ScheduleRules":
        """Build from a PublishingSettings (or anything with its attribute names)."""
        return cls(
            mode=settings.scheduling_mode,
            tz=ZoneInfo(tz) if isinstance(tz, str) else tz,
            days=frozenset(WEEKDAYS.index(d) for d in settings.publish_days),
            time_slots=tuple(sorted({parse_hhmm(s) for s in settings.publish_time_slots})),
            stagger_start=parse_hhmm(settings.stagger_start_time),
            stagger_end=parse_hhmm(settings.stagger_end_time),
            interval_minutes=settings.stagger_interval_minutes,
            queue_limit=settings.queue_limit,
        )

    def day_times(self) -> tuple[time, ...]:
        """The wall-clock times of one allowed day, ascending."""
        if self.mode == TIME_SLOTS:
            return self.time_slots
        start = self.stagger_start.hour * 60 + self.stagger_start.minute
        end = self.stagger_end.hour * 60 + self.stagger_end.minute
        return tuple(time(m // 60, m % 60) for m in range(start, end + 1, self.interval_minutes))


@dataclass(frozen=True)
class Unplaced:
    item_id: int
    code: str
    reason: str


@dataclass
class SlotPlan:
    placed: list[tuple[int, datetime]] = field(default_factory=list)  # (item id, UTC instant)
    unplaced: list[Unplaced] = field(default_factory=list)


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time, or None when that time does not exist (DST gap)."""
    local = datetime.combine(day, at, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def candidate_slots(rules: ScheduleRules, now: datetime) -> Iterator[datetime]:
    """Every slot instant (UTC) from `now` to the end of the lookahead, ascending."""
    now = now.astimezone(UTC)
    if rules.mode == IMMEDIATE:
        first = now.replace(second=0, microsecond=0)
        if first < now:
            first += timedelta(minutes=1)
        for minute in range(LOOKAHEAD_DAYS * 24 * 60):
            yield first + timedelta(minutes=minute)
        return
    today = now.astimezone(rules.tz).date()
    times = rules.day_times()
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() not in rules.days:
            continue
        for at in times:
            instant = local_to_utc(day, at, rules.tz)
            if instant is not None and instant >= now:
                yield instant


def _blocking_reason(rules: ScheduleRules) -> tuple[str, str] | None:
    """Why no slot can exist at all under these rules, if so."""
    if rules.mode == IMMEDIATE:
        return None
    if not rules.days:
        return "no_publish_days", "No publish days are allowed in the publishing settings."
    if rules.mode == TIME_SLOTS and not rules.time_slots:
        return "no_time_slots", "No publish time slots are set (time_slots mode)."
    return None


def plan_slots(
    rules: ScheduleRules,
    item_ids: Iterable[int],
    now: datetime,
    taken: Iterable[datetime] = (),
    scheduled_count: int = 0,
) -> SlotPlan:
    """Give each item (in order) the earliest free slot; explain every item left out."""
    plan = SlotPlan()
    items = list(item_ids)
    blocked = _blocking_reason(rules)
    if blocked:
        plan.unplaced = [Unplaced(item, *blocked) for item in items]
        return plan
    capacity = max(rules.queue_limit - scheduled_count, 0)
    taken_instants = {t.astimezone(UTC) for t in taken}
    free = (slot for slot in candidate_slots(rules, now) if slot not in taken_instants)
    exhausted = False
    for item in items:
        if len(plan.placed) >= capacity:
            plan.unplaced.append(
                Unplaced(
                    item,
                    "queue_full",
                    (
                        f"The publishing queue is full ({rules.queue_limit} items scheduled at most, "
                        f"queue_limit); it frees up as scheduled items are published."
                    ),
                )
            )
            continue
        slot = None if exhausted else next(free, None)
        if slot is None:
            exhausted = True
            plan.unplaced.append(
                Unplaced(item, "no_free_slot", f"No free publishing slot in the next {LOOKAHEAD_DAYS} days.")
            )
            continue
        plan.placed.append((item, slot))
    return plan
