"""recover_stale_runs: takeover of runs whose worker died (the kill itself: test_worker.py)."""

from datetime import timedelta

import pytest
from celery_support import purge_queues
from django.utils import timezone

from igny8_core.automation import lock as site_lock
from igny8_core.automation.claim import RunClaim
from igny8_core.automation.exceptions import ClaimLost
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.recovery import recover_stale_runs
from igny8_core.automation.service import AutomationService

from .helpers import add_keywords, demo_engine, execute, fast_config

pytestmark = pytest.mark.django_db


def crashed_run(site, seconds_ago=600, recovery_count=0):
    """A run whose worker redeemed its ticket, took the lock, then died `seconds_ago`."""
    run = AutomationService.start_automation(site)
    claim = RunClaim.redeem(run, run.epoch)
    claim.acquire_lock()
    AutomationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago), recovery_count=recovery_count
    )
    run.refresh_from_db()
    return run, claim


def test_stale_run_is_taken_over_its_lock_released_and_resumed(small_site, django_capture_on_commit_callbacks):
    add_keywords(small_site, 6)
    fast_config(small_site)
    run, dead_claim = crashed_run(small_site)
    old_token = run.lock_token
    assert site_lock.holder(small_site.pk) == old_token

    with django_capture_on_commit_callbacks() as callbacks:
        summary = recover_stale_runs()

    assert summary["resumed"] == [run.run_id]
    assert len(callbacks) == 1  # resume_automation_task enqueued after commit
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.recovery_count == 1
    assert run.epoch == dead_claim.epoch + 1 and run.claimed_at is None
    assert timezone.now() - run.heartbeat_at < timedelta(seconds=5)  # reset: not reaped again
    assert site_lock.holder(small_site.pk) is None  # released by its token
    assert "Recovered: no heartbeat since" in RunLogger(run).tail(5)
    with pytest.raises(ClaimLost):  # the dead worker, were it to wake up, cannot write
        dead_claim.update(current_stage=5)

    assert recover_stale_runs() == {"resumed": [], "failed": [], "requeued": []}  # idempotent
    assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED  # the resume task's work


def test_fresh_running_runs_are_never_reaped(alice_site, settings):
    run, _ = crashed_run(alice_site, seconds_ago=settings.AUTOMATION_STALE_AFTER - 30)
    assert recover_stale_runs()["resumed"] == []
    run.refresh_from_db()
    assert run.recovery_count == 0 and site_lock.holder(alice_site.pk) == run.lock_token


def test_paused_runs_are_not_reaped(alice_site):
    run, _ = crashed_run(alice_site)
    AutomationService.pause(run)
    assert recover_stale_runs()["resumed"] == []
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and run.recovery_count == 0


def test_after_max_recoveries_the_run_fails_with_a_clear_reason(alice_site, settings):
    settings.AUTOMATION_MAX_RECOVERIES = 2
    run, _ = crashed_run(alice_site, recovery_count=2)
    assert recover_stale_runs()["failed"] == [run.run_id]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.completed_at
    assert "stopped responding 3 times" in run.error_message and "giving up after 2 recoveries" in run.stopped_reason
    assert site_lock.holder(alice_site.pk) is None
    assert AutomationService.start_automation(alice_site).status == RunStatus.RUNNING  # site is free


def test_a_ticket_waiting_in_a_busy_queue_is_left_alone_until_it_is_lost(
    alice_site, settings, django_capture_on_commit_callbacks
):
    settings.AUTOMATION_QUEUED_STALE_AFTER = 3600
    purge_queues()
    with django_capture_on_commit_callbacks(execute=True):
        run = AutomationService.start_automation(alice_site)  # enqueued, no worker has redeemed it yet
    AutomationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=30))
    assert recover_stale_runs()["requeued"] == []
    AutomationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks() as callbacks:
        assert recover_stale_runs()["requeued"] == [run.run_id]
    assert len(callbacks) == 1
    old_ticket = run.epoch
    run.refresh_from_db()
    assert run.epoch == old_ticket + 1 and run.recovery_count == 0  # not a crash: not counted
    assert RunClaim.redeem(run, old_ticket) is None  # the lost message, if it ever arrives, is stale
    assert RunClaim.redeem(run, run.epoch) is not None
    purge_queues()
