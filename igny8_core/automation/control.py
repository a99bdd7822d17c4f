"""Run control: start, pause, resume and cancel a run, and edit a site's configuration.

Each is one fenced UPDATE (or a constrained INSERT) on the run row; the worker executing the
run (executor.py) notices the new status at its next stop check.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from igny8_core.accounts.models import Site
from igny8_core.billing.services import InsufficientCredits

from . import dispatch, reporting, schedule
from . import lock as site_lock
from .exceptions import AlreadyRunning, InvalidRunState, LockHeld, SiteGone
from .logger import RunLogger
from .models import ACTIVE_STATUSES, AutomationConfig, AutomationRun, RunStatus, TriggerType, new_run_id
from .results import close_open_stages

SCHEDULE_FIELDS = {"is_enabled", "frequency", "scheduled_time"}


class InsufficientCreditsForRun(InsufficientCredits):
    """Raised by start_automation: carries the estimate besides required and balance."""

    def __init__(self, required: Decimal, available: Decimal, estimate: Decimal) -> None:
        super().__init__(required, available, "automation run")
        self.estimate = Decimal(estimate)


def _worker_alive(run: AutomationRun) -> bool:
    """The run's worker beat recently (it beats even while paused, until it stops)."""
    stale = timezone.now() - timedelta(seconds=settings.AUTOMATION_STALE_AFTER)
    return run.heartbeat_at is not None and run.heartbeat_at >= stale


def start_automation(site: Site, trigger_type: str = TriggerType.MANUAL) -> AutomationRun:
    """Insert a running run (the DB constraint decides who wins) and enqueue it.

    Raises AlreadyRunning when the site has a running or paused run, and
    InsufficientCreditsForRun when the balance is below 1.2 x the estimate."""
    config = AutomationConfig.for_site(site)
    active = AutomationRun.objects.filter(site=site, status__in=ACTIVE_STATUSES).first()
    if active:
        raise AlreadyRunning(active.run_id)
    estimate = reporting.estimate_credits(site, config)
    if not estimate["sufficient"]:
        raise InsufficientCreditsForRun(
            estimate["required"], estimate["current_balance"], estimate["estimated_credits"]
        )
    now = timezone.now()
    run = AutomationRun(
        account_id=site.account_id,
        site=site,
        run_id=new_run_id(trigger_type, now),
        trigger_type=trigger_type,
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        epoch=1,
        initial_snapshot=reporting.initial_snapshot(site),
    )
    with transaction.atomic():
        # The site's row lock orders this start with a deletion of the site, which holds it
        # while it checks for active runs: whichever comes second sees the other's outcome.
        if not Site.objects.select_for_update().filter(pk=site.pk).exists():
            raise SiteGone()
        try:
            with transaction.atomic():
                run.save()
        except IntegrityError:
            raise AlreadyRunning() from None
        snapshot, credits = run.initial_snapshot, estimate["estimated_credits"]
        transaction.on_commit(
            lambda: RunLogger(run).log(
                f"Run started ({trigger_type}). Queues: {snapshot['total_initial_items']} items "
                f"({', '.join(str(snapshot[f'stage_{n}_initial']) for n in range(1, 8))}). "
                f"Estimated credits {credits}, balance {estimate['current_balance']}."
            )
        )
        dispatch.enqueue(run)
    return run


def pause(run: AutomationRun) -> AutomationRun:
    """Cooperative: the worker stops after its current item and releases the lock."""
    now = timezone.now()
    if not AutomationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.PAUSED, paused_at=now, stopped_reason="Paused by user."
    ):
        run.refresh_from_db()
        raise InvalidRunState(f"Only a running run can be paused; {run.run_id} is {run.status}.")
    run.refresh_from_db()
    RunLogger(run).log("Paused by user; the current item finishes first.", stage=run.current_stage)
    return run


def resume(run: AutomationRun) -> AutomationRun:
    """Continue a paused run from current_stage with a new claim (ticket)."""
    run.refresh_from_db()
    if run.status != RunStatus.PAUSED:
        raise InvalidRunState(f"Only a paused run can be resumed; {run.run_id} is {run.status}.")
    holder = site_lock.holder(run.site_id)
    if holder:
        parsed = site_lock.parse_token(holder)
        other = (
            None
            if parsed is None
            else AutomationRun.objects.filter(pk=parsed[0], status__in=ACTIVE_STATUSES).exclude(pk=run.pk).first()
        )
        if parsed is None or other is not None:
            who = f"run {other.run_id}" if other else "another holder"
            raise LockHeld(f"Cannot resume {run.run_id}: the site's automation lock is held by {who}.")
        if parsed[0] == run.pk and _worker_alive(run):
            # The paused worker is still finishing its current item (it releases the lock when
            # it stops). A new claim now would supersede it mid-item: its item would be
            # selected again and its tally and credits never recorded.
            raise LockHeld(
                f"Cannot resume {run.run_id} yet: its worker is still finishing its current item. "
                "Try again in a moment."
            )
    now = timezone.now()
    with transaction.atomic():
        if not AutomationRun.objects.filter(pk=run.pk, status=RunStatus.PAUSED).update(
            status=RunStatus.RUNNING,
            resumed_at=now,
            epoch=F("epoch") + 1,
            claimed_at=None,
            heartbeat_at=now,
            stopped_reason="",
        ):
            raise InvalidRunState(f"{run.run_id} is no longer paused.")
        run.refresh_from_db()
        dispatch.enqueue(run, resume=True)
    RunLogger(run).log(f"Resumed by user at stage {run.current_stage}.", stage=run.current_stage)
    return run


def cancel(run: AutomationRun) -> AutomationRun:
    """Final. The worker stops after its current item; the lock is released now, so a new
    run can start at once (the old worker's writes are refused by the run's status)."""
    now = timezone.now()
    if not AutomationRun.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES).update(
        status=RunStatus.CANCELLED,
        cancelled_at=now,
        completed_at=now,
        current_processing=None,
        stopped_reason="Cancelled by user.",
    ):
        run.refresh_from_db()
        raise InvalidRunState(f"Only a running or paused run can be cancelled; {run.run_id} is {run.status}.")
    close_open_stages(run.pk)  # a worker still on it closes them again when it stops
    run.refresh_from_db()
    released = site_lock.release_token(run.site_id, run.lock_token)
    RunLogger(run).log(
        f"Cancelled by user at stage {run.current_stage}{'; site lock released' if released else ''}.",
        stage=run.current_stage,
    )
    return run


def update_config(config: AutomationConfig, changes: dict[str, Any]) -> AutomationConfig:
    """Apply validated changes; a changed schedule gets a new next_run_at."""
    for name, value in changes.items():
        setattr(config, name, value)
    fields = {*changes, "updated_at"}
    if SCHEDULE_FIELDS & set(changes) or (config.is_enabled and config.next_run_at is None):
        schedule.refresh_next_run(config)
        fields.add("next_run_at")
    # Only what this edit changed: a full save of a config loaded before the hourly check
    # started a run would rewind next_run_at / last_run_at, and the run would start again.
    config.save(update_fields=fields)
    return config
