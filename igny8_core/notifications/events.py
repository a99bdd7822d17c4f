"""Which event a finished run (or a failed publication) is, its message, and queueing it for
the site's targets (tasks.py sends it through services.py)."""

import logging

from django.db import transaction

from igny8_core.automation.models import AutomationRun, RunStatus

from .models import Event, NotificationSettings
from .tasks import send_notification

OUT_OF_CREDITS_PREFIX = "Out of credits"
log = logging.getLogger(__name__)


def run_event(run: AutomationRun) -> str | None:
    """The event of a run that is over; None for runs the user paused or cancelled."""
    if run.status == RunStatus.FAILED:
        return Event.OUT_OF_CREDITS if run.stopped_reason.startswith(OUT_OF_CREDITS_PREFIX) else Event.RUN_FAILED
    if run.status != RunStatus.COMPLETED:
        return None
    limited = any(run.stage_result(n).get("partial") for n in range(1, 8))
    return Event.STOPPED_BY_LIMIT if limited else Event.RUN_COMPLETED


def _limit_reasons(run: AutomationRun) -> list[str]:
    return [
        f"stage {n}: {run.stage_result(n).get('reason')}" for n in range(1, 8) if run.stage_result(n).get("partial")
    ]


def run_message(run: AutomationRun, event: str) -> tuple[str, str]:
    site = run.site.name
    review = int(run.stage_7_result.get("ready_for_review", 0) or 0)
    done = f"{run.total_credits_used} credits used"
    if event == Event.RUN_COMPLETED:
        return f"[{site}] Run completed", f"Run {run.run_id} completed: {review} drafts ready for review, {done}."
    if event == Event.STOPPED_BY_LIMIT:
        reasons = "; ".join(_limit_reasons(run))
        return f"[{site}] Run stopped by a limit", f"Run {run.run_id} completed within its limits ({reasons}), {done}."
    if event == Event.OUT_OF_CREDITS:
        return f"[{site}] Out of credits", f"Run {run.run_id}: {run.stopped_reason}"
    return f"[{site}] Run failed", f"Run {run.run_id} failed: {run.stopped_reason or run.error_message}"


def notify_run_outcome(run_id: str, event: str | None = None) -> None:
    """Queue the notification of a run that has just ended (nothing for paused/cancelled runs);
    `event` when the caller knows it better than the run's state tells."""
    run = AutomationRun.objects.select_related("site").filter(run_id=run_id).first()
    if run is None:
        return
    event = event or run_event(run)
    if event is not None:
        title, body = run_message(run, event)
        notify(run.site_id, event, title, body)


def notify_publishing_failed(site_id: int, site_name: str, title: str, error: str) -> None:
    notify(
        site_id,
        Event.PUBLISHING_FAILED,
        f"[{site_name}] Publishing failed",
        f"“{title}” could not be published: {error}",
    )


def notify(site_id: int, event: str, title: str, body: str) -> None:
    """Queue an event for the site's targets once the current transaction commits (the Celery
    task sends it; nothing here can fail the caller)."""
    if not NotificationSettings.objects.filter(site_id=site_id).exclude(urls_encrypted="").exists():
        return

    def enqueue() -> None:
        try:
            send_notification.delay(site_id, event, title, body)
        except Exception:  # the broker is down: the event is lost, the run goes on
            log.exception("Could not queue the %s notification of site %s", event, site_id)

    transaction.on_commit(enqueue)
