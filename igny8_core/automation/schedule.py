"""The schedule: when a config's next run is due, and the hourly check that starts due runs.

Times are computed in the site's time zone from the wall-clock `scheduled_time`, so 09:00
stays 09:00 across DST changes; a time that does not exist on a spring-forward day (02:30)
runs at the first valid instant after it, an ambiguous one (autumn) at its first occurrence.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from igny8_core.billing.services import InsufficientCredits

from .exceptions import AlreadyRunning
from .logger import RunLogger
from .models import ACTIVE_STATUSES, AutomationConfig, AutomationRun, Frequency, RunStatus, TriggerType, new_run_id

log = logging.getLogger(__name__)


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


def site_timezone_changed(site) -> None:
    """Scheduled times are wall-clock times in the site's zone: re-anchor the next run."""
    config = AutomationConfig.objects.filter(site=site, is_enabled=True).select_related("site").first()
    if config is not None:
        refresh_next_run(config)
        config.save(update_fields=["next_run_at", "updated_at"])


def _record_not_started(config: AutomationConfig, exc: InsufficientCredits, now: datetime) -> None:
    """A scheduled run that cannot be paid leaves a failed run in history, so the user sees why."""
    reason = f"Scheduled run not started: {exc.required} credits required, {exc.available} available."
    run = AutomationRun.objects.create(
        account_id=config.account_id,
        site=config.site,
        run_id=new_run_id(TriggerType.SCHEDULED, now),
        trigger_type=TriggerType.SCHEDULED,
        status=RunStatus.FAILED,
        started_at=now,
        completed_at=now,
        stopped_reason=reason,
        error_message=reason,
    )
    transaction.on_commit(lambda: RunLogger(run).error(reason))


def check_scheduled_automations(now: datetime | None = None) -> dict:
    """Start every due run once. Each due config is taken with SELECT ... FOR UPDATE SKIP LOCKED,
    and its run is inserted and next_run_at advanced in the same transaction, so two ticks (or
    two beat processes) never double-start; a site with a running or paused run is skipped and
    retried on the next tick. A config that raises is logged and retried on the next tick
    without holding up the others."""
    now = now or timezone.now()
    summary = {"started": [], "skipped_active": [], "insufficient_credits": [], "scheduled": [], "errors": []}
    # Enabled configs without a next run yet (e.g. enabled in the admin) get one.
    for config in AutomationConfig.objects.filter(is_enabled=True, next_run_at__isnull=True).select_related("site"):
        AutomationConfig.objects.filter(pk=config.pk, next_run_at__isnull=True).update(
            next_run_at=next_run_for(config, now)
        )
        summary["scheduled"].append(config.site_id)
    due = AutomationConfig.objects.filter(is_enabled=True, next_run_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        try:
            _start_if_due(pk, now, summary)
        except Exception:
            # One broken site must not stop the others' schedules; this one retries next tick.
            log.exception("Scheduled automation of config %s could not be started.", pk)
            summary["errors"].append(pk)
    return summary


def _start_if_due(pk: int, now: datetime, summary: dict) -> None:
    """Start the due config `pk` (if no other tick took it) and advance its next_run_at, in one
    transaction."""
    from .service import AutomationService

    with transaction.atomic():
        config = (
            AutomationConfig.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("site")
            .filter(pk=pk, is_enabled=True, next_run_at__lte=now)
            .first()
        )
        if config is None:
            return  # another tick holds it or already advanced it
        if AutomationRun.objects.filter(site_id=config.site_id, status__in=ACTIVE_STATUSES).exists():
            summary["skipped_active"].append(config.site_id)
            log.info("Scheduled automation of site %s skipped: a run is running or paused.", config.site_id)
            return
        try:
            run = AutomationService.start_automation(config.site, TriggerType.SCHEDULED)
            summary["started"].append(run.run_id)
        except AlreadyRunning:
            summary["skipped_active"].append(config.site_id)
            return
        except InsufficientCredits as exc:
            _record_not_started(config, exc, now)
            summary["insufficient_credits"].append(config.site_id)
        config.last_run_at = now
        config.next_run_at = next_run_for(config, now)
        config.save(update_fields=["last_run_at", "next_run_at", "updated_at"])
