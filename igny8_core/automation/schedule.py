"""The schedule: when a config's next run is due (the hourly check that starts due runs is in
scheduler.py).

Times are computed in the site's time zone from the wall-clock `scheduled_time`, so 09:00
stays 09:00 across DST changes; a time that does not exist on a spring-forward day (02:30)
runs at the first valid instant after it, an ambiguous one (autumn) at its first occurrence.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from igny8_core.accounts.models import Site

from .models import AutomationConfig, Frequency


def local_instant(day: date, at: time, tz) -> datetime:
    """The instant (in UTC) of wall-clock `at` on `day` in `tz`, DST-safe. In a spring-forward
    gap the UTC round trip lands on the shifted wall time (02:30 -> 03:30); an ambiguous time
    takes fold=0, its first occurrence. UTC results compare unambiguously (PEP 495)."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_run_after(frequency: str, at: time, tz, after: datetime) -> datetime:
    """The first scheduled instant strictly after `after`: daily at `at`, weekly on Mondays,
    monthly on the 1st, all in `tz`."""
    day = after.astimezone(tz).date()
    for _ in range(400):
        if frequency == Frequency.WEEKLY:
            day += timedelta(days=(7 - day.weekday()) % 7)
        elif frequency == Frequency.MONTHLY and day.day != 1:
            day = _first_of_next_month(day)
        candidate = local_instant(day, at, tz)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
    raise ValueError(f"No next run for {frequency} at {at}")  # unreachable for valid input


def next_run_for(config: AutomationConfig, after: datetime | None = None) -> datetime:
    return next_run_after(config.frequency, config.scheduled_time, config.site.tzinfo, after or timezone.now())


def refresh_next_run(config: AutomationConfig, now: datetime | None = None) -> None:
    """Recompute next_run_at after the schedule changed (None while disabled)."""
    config.next_run_at = next_run_for(config, now) if config.is_enabled else None


def reanchor_next_run(sender: object, site: Site, **kwargs: object) -> None:
    """Receives accounts' site_timezone_changed: scheduled times are wall-clock times in the
    site's zone, so the next run moves with the zone."""
    config = AutomationConfig.objects.filter(site=site, is_enabled=True).select_related("site").first()
    if config is not None:
        refresh_next_run(config)
        config.save(update_fields=["next_run_at", "updated_at"])
