"""Slot calculation: properties (hypothesis) and the edge cases (DST changes, month and year ends, no allowed day, a full queue)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igny8_core.publishing.scheduler import (
    IMMEDIATE,
    LOOKAHEAD_DAYS,
    STAGGER,
    TIME_SLOTS,
    ScheduleRules,
    candidate_slots,
    plan_slots,
)

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago"]


def rules(
    mode=TIME_SLOTS, tz="UTC", days=range(7), slots=("09:00",), start="09:00", end="18:00", interval=15, queue_limit=100
):
    from igny8_core.publishing.validation import parse_hhmm

    return ScheduleRules(
        mode=mode,
        tz=ZoneInfo(tz),
        days=frozenset(days),
        time_slots=tuple(sorted(parse_hhmm(s) for s in slots)),
        stagger_start=parse_hhmm(start),
        stagger_end=parse_hhmm(end),
        interval_minutes=interval,
        queue_limit=queue_limit,
    )


@st.composite
def schedule_rules(draw):
    mode = draw(st.sampled_from([TIME_SLOTS, STAGGER, IMMEDIATE]))
    start_min = draw(st.integers(0, 1438))
    end_min = draw(st.integers(start_min + 1, 1439))
    slot_minutes = draw(st.sets(st.integers(0, 1439), min_size=1, max_size=6))
    return ScheduleRules(
        mode=mode,
        tz=ZoneInfo(draw(st.sampled_from(ZONES))),
        days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        time_slots=tuple(sorted(time(m // 60, m % 60) for m in slot_minutes)),
        stagger_start=time(start_min // 60, start_min % 60),
        stagger_end=time(end_min // 60, end_min % 60),
        interval_minutes=draw(st.integers(1, 1440)),
        queue_limit=draw(st.integers(1, 60)),
    )


nows = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))


@st.composite
def scenario(draw):
    r = draw(schedule_rules())
    now = draw(nows)
    # Pre-taken slots drawn from the real candidates, so collisions actually happen.
    head = [s for _, s in zip(range(40), candidate_slots(r, now), strict=False)]
    taken = draw(st.lists(st.sampled_from(head), max_size=15, unique=True)) if head else []
    items = list(range(1, draw(st.integers(0, 40)) + 1))
    return r, now, taken, items


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_properties_no_double_booking_allowed_days_within_window(case):
    r, now, taken, items = case
    plan = plan_slots(r, items, now, taken=taken, scheduled_count=len(taken))
    instants = [at for _, at in plan.placed]

    # every item is accounted for exactly once, in order
    assert sorted([i for i, _ in plan.placed] + [u.item_id for u in plan.unplaced]) == items
    # no double booking: among the new items, and against existing scheduled items
    assert len(set(instants)) == len(instants)
    assert not set(instants) & {t.astimezone(UTC) for t in taken}
    # queue limit
    assert len(taken) + len(instants) <= max(r.queue_limit, len(taken))
    # oldest item gets the earliest slot
    assert instants == sorted(instants)
    for at in instants:
        assert at.tzinfo is not None
        assert now <= at <= now + timedelta(days=LOOKAHEAD_DAYS)
        local = at.astimezone(r.tz)
        if r.mode == IMMEDIATE:
            assert local.second == 0 and local.microsecond == 0
            continue
        # only allowed days
        assert local.weekday() in r.days
        # within the window / on a configured slot
        wall = local.time().replace(tzinfo=None)
        if r.mode == TIME_SLOTS:
            assert wall in r.time_slots
        else:
            assert r.stagger_start <= wall <= r.stagger_end
            minutes = (wall.hour * 60 + wall.minute) - (r.stagger_start.hour * 60 + r.stagger_start.minute)
            assert minutes % r.interval_minutes == 0
    for missing in plan.unplaced:
        assert missing.code in {"queue_full", "no_free_slot"} and missing.reason


def test_time_slots_skip_past_slots_and_disallowed_days():
    # Friday 2026-01-09 15:00 UTC; slots 09:00 and 14:00 are past today; weekend not allowed.
    r = rules(slots=["09:00", "14:00"], days=[0, 1, 2, 3, 4])
    plan = plan_slots(r, [1, 2, 3], datetime(2026, 1, 9, 15, 0, tzinfo=UTC))
    assert [at for _, at in plan.placed] == [
        datetime(2026, 1, 12, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 12, 14, 0, tzinfo=UTC),
        datetime(2026, 1, 13, 9, 0, tzinfo=UTC),
    ]


def test_existing_scheduled_items_are_counted():
    r = rules(slots=["09:00", "14:00"])
    now = datetime(2026, 1, 9, 8, 0, tzinfo=UTC)
    taken = [datetime(2026, 1, 9, 9, 0, tzinfo=UTC)]
    plan = plan_slots(r, [7], now, taken=taken, scheduled_count=1)
    assert plan.placed == [(7, datetime(2026, 1, 9, 14, 0, tzinfo=UTC))]


def test_site_timezone_is_used():
    r = rules(tz="America/New_York", slots=["09:00"])
    plan = plan_slots(r, [1], datetime(2026, 1, 9, 12, 0, tzinfo=UTC))  # 07:00 in New York
    assert plan.placed == [(1, datetime(2026, 1, 9, 14, 0, tzinfo=UTC))]  # 09:00 EST = 14:00 UTC


def test_dst_spring_forward_skips_the_missing_time():
    # Europe/Berlin jumps from 02:00 to 03:00 on Sunday 2026-03-29: 02:30 does not exist that day,
    # and 02:30 (gap) must not alias 03:30 (same UTC instant) — one slot each, never two items.
    r = rules(tz="Europe/Berlin", slots=["02:30", "03:30"], days=[6])
    plan = plan_slots(r, [1, 2, 3], datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    local = [at.astimezone(ZoneInfo("Europe/Berlin")) for _, at in plan.placed]
    assert [(d.date().isoformat(), d.strftime("%H:%M")) for d in local] == [
        ("2026-03-29", "03:30"),
        ("2026-04-05", "02:30"),
        ("2026-04-05", "03:30"),
    ]
    assert len({at for _, at in plan.placed}) == 3


def test_dst_fall_back_uses_the_ambiguous_time_once():
    # Berlin repeats 02:00-03:00 on Sunday 2026-10-25. Stagger every 30 min from 01:30 to 03:00.
    r = rules(mode=STAGGER, tz="Europe/Berlin", start="01:30", end="03:00", interval=30, days=[6])
    plan = plan_slots(r, [1, 2, 3, 4, 5], datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    local = [at.astimezone(ZoneInfo("Europe/Berlin")) for _, at in plan.placed]
    assert [d.strftime("%m-%d %H:%M") for d in local] == [
        "10-25 01:30",
        "10-25 02:00",
        "10-25 02:30",
        "10-25 03:00",
        "11-01 01:30",
    ]
    assert [at for _, at in plan.placed] == sorted({at for _, at in plan.placed})


def test_end_of_month_and_year_roll_over():
    r = rules(slots=["23:30"], days=range(7))
    plan = plan_slots(r, [1, 2, 3], datetime(2026, 1, 30, 23, 45, tzinfo=UTC))
    assert [at.date().isoformat() for _, at in plan.placed] == ["2026-01-31", "2026-02-01", "2026-02-02"]
    plan = plan_slots(rules(slots=["00:00"]), [1, 2], datetime(2026, 12, 31, 0, 0, 1, tzinfo=UTC))
    assert [at.date().isoformat() for _, at in plan.placed] == ["2027-01-01", "2027-01-02"]


def test_all_days_disallowed_gives_a_clear_reason():
    plan = plan_slots(rules(days=[]), [1, 2], datetime(2026, 1, 9, tzinfo=UTC))
    assert plan.placed == []
    assert [(u.item_id, u.code) for u in plan.unplaced] == [(1, "no_publish_days"), (2, "no_publish_days")]
    assert "No publish days" in plan.unplaced[0].reason


def test_queue_full_counts_already_scheduled_items():
    r = rules(slots=["09:00", "12:00", "15:00"], queue_limit=5)
    plan = plan_slots(r, [1, 2, 3], datetime(2026, 1, 9, tzinfo=UTC), taken=[], scheduled_count=3)
    assert [i for i, _ in plan.placed] == [1, 2]
    assert [(u.item_id, u.code) for u in plan.unplaced] == [(3, "queue_full")]
    assert "queue is full" in plan.unplaced[0].reason


def test_no_free_slot_within_lookahead():
    # One allowed day a week, one slot a day: 90 days hold 13 Mondays.
    r = rules(slots=["09:00"], days=[0], queue_limit=1000)
    plan = plan_slots(r, list(range(20)), datetime(2026, 1, 9, tzinfo=UTC))
    assert len(plan.placed) == 13
    assert {u.code for u in plan.unplaced} == {"no_free_slot"}
    assert "90 days" in plan.unplaced[0].reason


def test_immediate_mode_one_item_per_minute_from_now():
    now = datetime(2026, 1, 9, 10, 0, 30, tzinfo=UTC)
    taken = [datetime(2026, 1, 9, 10, 2, tzinfo=UTC)]
    plan = plan_slots(rules(mode=IMMEDIATE, days=[]), [1, 2, 3], now, taken=taken, scheduled_count=1)
    assert [at.strftime("%H:%M:%S") for _, at in plan.placed] == ["10:01:00", "10:03:00", "10:04:00"]


def test_large_batch_is_fast():
    import time as clock

    r = rules(mode=STAGGER, interval=1, start="00:00", end="23:59", queue_limit=10_000)
    started = clock.perf_counter()
    plan = plan_slots(r, list(range(5000)), datetime(2026, 1, 9, tzinfo=UTC))
    assert len(plan.placed) == 5000
    assert clock.perf_counter() - started < 2
