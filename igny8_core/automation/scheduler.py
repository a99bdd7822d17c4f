"""The hourly check that starts due scheduled runs (the times themselves are in schedule.py)."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from igny8_core.billing.services import InsufficientCredits
from igny8_core.notifications.events import notify_run_outcome
from igny8_core.notifications.models import Event

from .exceptions import AlreadyRunning, SiteGone
from .logger import RunLogger
from .models import ACTIVE_STATUSES, AutomationConfig, AutomationRun, RunStatus, TriggerType, new_run_id
from .schedule import next_run_for
from .service import AutomationService

log = logging.getLogger(__name__)
# The tick's report: run ids started, and site ids (config pks under "errors") per outcome.
Summary = dict[str, list[str | int]]


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
    notify_run_outcome(run.run_id, Event.OUT_OF_CREDITS)


def check_scheduled_automations(now: datetime | None = None) -> Summary:
    """Start every due run once. Each due config is taken with SELECT ... FOR UPDATE SKIP LOCKED,
    and its run is inserted and next_run_at advanced in the same transaction, so two ticks (or
    two beat processes) never double-start; a site with a running or paused run is skipped and
    retried on the next tick. A config that raises is logged and retried on the next tick
    without holding up the others."""
    now = now or timezone.now()
    summary: Summary = {"started": [], "skipped_active": [], "insufficient_credits": [], "scheduled": [], "errors": []}
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


def _start_if_due(pk: int, now: datetime, summary: Summary) -> None:
    """Start the due config `pk` (if no other tick took it) and advance its next_run_at, in one
    transaction."""
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
        except SiteGone:  # deleted since the configs were listed
            return
        except InsufficientCredits as exc:
            _record_not_started(config, exc, now)
            summary["insufficient_credits"].append(config.site_id)
        config.last_run_at = now
        config.next_run_at = next_run_for(config, now)
        config.save(update_fields=["last_run_at", "next_run_at", "updated_at"])
