"""Crash recovery: no run stays "running" forever.

A worker refreshes its run's heartbeat every AUTOMATION_HEARTBEAT_INTERVAL seconds. A running
run whose worker redeemed its ticket but whose heartbeat is older than AUTOMATION_STALE_AFTER
has lost its worker (killed, OOM, host gone). The reaper takes it over with a fenced UPDATE
(new ticket, heartbeat reset), releases the dead worker's lock by its token, and enqueues a
resume - up to AUTOMATION_MAX_RECOVERIES times, then the run fails with a clear reason.
Recovery never relies on the broker redelivering a message (with early ack it will not).

A ticket nobody redeemed for AUTOMATION_QUEUED_LOST_AFTER whose message is no longer in the
broker (lost, e.g. Redis restarted without persistence) is re-issued at once; one whose message
is still waiting in a busy queue is left alone until AUTOMATION_QUEUED_STALE_AFTER. A duplicate
delivery is harmless: only one worker can redeem the new ticket.

A run that ends here (out of recoveries) has its stage left running closed, and its credits
are the ledger's.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from igny8_core.notifications.events import notify_run_outcome

from . import broker, dispatch, ledger
from . import lock as site_lock
from .logger import RunLogger
from .models import AutomationRun, RunStatus
from .results import close_open_stages

log = logging.getLogger(__name__)


def _queued_stale_after() -> int:
    return settings.AUTOMATION_QUEUED_STALE_AFTER


def recover_stale_runs(now=None) -> dict:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.AUTOMATION_STALE_AFTER)
    lost_in_queue = now - timedelta(seconds=_queued_stale_after())
    maybe_lost = now - timedelta(seconds=settings.AUTOMATION_QUEUED_LOST_AFTER)
    summary = {"resumed": [], "failed": [], "requeued": []}
    candidates = AutomationRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=max(stale, maybe_lost))
    for run in candidates.select_related("site"):
        claimed, last_beat = run.claimed_at is not None, run.heartbeat_at
        if claimed and run.heartbeat_at >= stale:
            continue  # its worker is alive
        if not claimed and run.heartbeat_at >= lost_in_queue and broker.message_waiting(run.run_id) is not False:
            continue  # waiting in a busy queue: its ticket is still good
        fenced = AutomationRun.objects.filter(
            pk=run.pk, epoch=run.epoch, status=RunStatus.RUNNING, heartbeat_at=run.heartbeat_at
        )
        logger = RunLogger(run)
        if claimed and run.recovery_count >= settings.AUTOMATION_MAX_RECOVERIES:
            message = (
                f"The worker stopped responding {run.recovery_count + 1} times (no heartbeat for "
                f"{settings.AUTOMATION_STALE_AFTER}s); giving up after {settings.AUTOMATION_MAX_RECOVERIES} "
                f"recoveries. Finished items are kept; start a new run to continue."
            )
            if fenced.update(
                status=RunStatus.FAILED,
                completed_at=now,
                error_message=message,
                stopped_reason=message[:500],
                current_processing=None,
                epoch=F("epoch") + 1,
                total_credits_used=ledger.run_credits(run.pk)[0],
            ):
                close_open_stages(run.pk)
                site_lock.release_token(run.site_id, run.lock_token)
                logger.error(message, stage=run.current_stage)
                summary["failed"].append(run.run_id)
                notify_run_outcome(run.run_id)
            continue
        with transaction.atomic():
            if not fenced.update(
                epoch=F("epoch") + 1,
                claimed_at=None,
                heartbeat_at=now,
                current_processing=None,
                recovery_count=F("recovery_count") + (1 if claimed else 0),
            ):
                continue  # the worker came back, or another reaper won
            run.refresh_from_db()
            dispatch.enqueue(run, resume=True)
        if claimed:
            site_lock.release_token(run.site_id, run.lock_token)
            logger.warning(
                f"Recovered: no heartbeat since {last_beat:%Y-%m-%d %H:%M:%S}; worker presumed dead. "
                f"Resuming at stage {run.current_stage} (recovery {run.recovery_count}/"
                f"{settings.AUTOMATION_MAX_RECOVERIES}).",
                stage=run.current_stage,
            )
            summary["resumed"].append(run.run_id)
        else:
            logger.warning("Its task message was never picked up; re-queued.")
            summary["requeued"].append(run.run_id)
    return summary
