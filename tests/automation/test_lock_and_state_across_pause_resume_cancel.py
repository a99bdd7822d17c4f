"""The site lock and the run state across pause, resume and cancel: cancel releases the lock,
the scheduler skips paused runs, resume re-acquires the lock and honours a pause or cancel
between stages, pause is logged, and an exception in a resumed run releases the lock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from igny8_core.automation import executor as executor_module
from igny8_core.automation import lock as site_lock
from igny8_core.automation.exceptions import LockHeld
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import AutomationConfig, AutomationRun, RunStatus
from igny8_core.automation.scheduler import check_scheduled_automations
from igny8_core.automation.service import AutomationService
from igny8_core.writer.models import Content

from .helpers import EngineSpy, add_keywords, demo_engine, execute, fast_config

pytestmark = pytest.mark.django_db


def nth_call(name, n, action):
    """An EngineSpy hook running `action()` just before the n-th call of function `name`."""

    def hook(called, ids, calls):
        if called == name and sum(1 for c, _ in calls if c == name) == n:
            action()

    return hook


def paused_mid_stage_4(site):
    """A run paused by the user while its worker was on the 2nd task of stage 4."""
    add_keywords(site, 6)
    fast_config(site)
    run = AutomationService.start_automation(site)
    execute(run, EngineSpy(demo_engine(site), nth_call("generate_content", 2, lambda: AutomationService.pause(run))))
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and run.current_stage == 4
    return run


def test_cancel_releases_the_lock_and_a_new_run_can_start_at_once(small_site):
    add_keywords(small_site, 6)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)
    seen = {}

    def cancel_while_working():
        seen["holder_before"] = site_lock.holder(small_site.pk)
        AutomationService.cancel(run)
        seen["holder_after"] = site_lock.holder(small_site.pk)
        seen["new_run"] = AutomationService.start_automation(small_site)  # no "already running"

    execute(run, EngineSpy(demo_engine(small_site), nth_call("generate_content", 2, cancel_while_working)))
    run.refresh_from_db()

    assert site_lock.parse_token(seen["holder_before"])[0] == run.pk
    assert seen["holder_after"] is None
    assert seen["new_run"].status == RunStatus.RUNNING
    assert run.status == RunStatus.CANCELLED and run.cancelled_at and run.stopped_reason == "Cancelled by user."
    # The item in flight finished and was counted; nothing after it was started.
    assert run.stage_result(4)["content_created"] == 2 == Content.objects.filter(site=small_site).count()
    assert not run.stage_result(5)
    assert "Cancelled by user at stage 4; site lock released." in RunLogger(run).tail(20)
    # The new run takes the (free) lock and finishes the leftovers.
    assert execute(seen["new_run"], demo_engine(small_site)) == RunStatus.COMPLETED
    assert site_lock.holder(small_site.pk) is None


def test_cancelling_a_paused_run_releases_a_lock_left_by_a_dead_worker(alice_site):
    run = paused_mid_stage_4(alice_site)
    # The worker died after the pause, before its `finally`: its lock is still there.
    token = site_lock.make_token(run.pk, run.epoch)
    AutomationRun.objects.filter(pk=run.pk).update(lock_token=token)
    assert site_lock.SiteLock(alice_site.pk).acquire(token)
    AutomationService.cancel(run)
    assert site_lock.holder(alice_site.pk) is None
    assert AutomationService.start_automation(alice_site).status == RunStatus.RUNNING


def test_scheduled_check_skips_a_site_whose_run_is_paused(alice_site):
    paused = paused_mid_stage_4(alice_site)
    config = AutomationConfig.for_site(alice_site)
    due = timezone.now() - timedelta(minutes=5)
    AutomationConfig.objects.filter(pk=config.pk).update(is_enabled=True, next_run_at=due)

    summary = check_scheduled_automations()

    assert summary["skipped_active"] == [alice_site.pk] and summary["started"] == []
    assert list(AutomationRun.objects.filter(site=alice_site)) == [paused]
    config.refresh_from_db()
    assert config.next_run_at == due  # retried on the next tick, once the paused run is over


def test_resume_reacquires_the_lock(alice_site):
    run = paused_mid_stage_4(alice_site)
    assert site_lock.holder(alice_site.pk) is None  # released when the worker stopped on pause
    AutomationService.resume(run)
    run.refresh_from_db()
    held = {}

    def look_at_the_lock(name, ids, calls):
        held.setdefault("token", site_lock.holder(alice_site.pk))

    assert execute(run, EngineSpy(demo_engine(alice_site), look_at_the_lock)) == RunStatus.COMPLETED
    run.refresh_from_db()
    assert site_lock.parse_token(held["token"]) == (run.pk, run.epoch)  # our token, this claim
    assert run.lock_token == held["token"]
    assert site_lock.holder(alice_site.pk) is None  # and released at the end


def test_resume_refuses_while_another_holder_has_the_lock(alice_site):
    run = paused_mid_stage_4(alice_site)
    assert site_lock.SiteLock(alice_site.pk).acquire("maintenance-by-admin")
    with pytest.raises(LockHeld):
        AutomationService.resume(run)
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED


def test_worker_refuses_to_run_without_the_lock_and_leaves_the_run_paused(alice_site):
    run = paused_mid_stage_4(alice_site)
    AutomationService.resume(run)
    run.refresh_from_db()
    assert site_lock.SiteLock(alice_site.pk).acquire("maintenance-by-admin")  # taken before the worker starts

    assert execute(run, demo_engine(alice_site)) == RunStatus.PAUSED
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and "lock is held by another holder" in run.stopped_reason
    assert site_lock.holder(alice_site.pk) == "maintenance-by-admin"  # not stolen
    assert "Not started" in RunLogger(run).tail(5)


def test_resume_honours_cancel_inside_a_later_stage(small_site):
    run = paused_mid_stage_4(small_site)
    AutomationService.resume(run)
    run.refresh_from_db()
    status = execute(
        run,
        EngineSpy(
            demo_engine(small_site), nth_call("generate_image_prompts", 1, lambda: AutomationService.cancel(run))
        ),
    )
    run.refresh_from_db()
    assert status == RunStatus.CANCELLED == run.status
    assert run.stage_result(5)["content_processed"] == 1  # the item in flight finished
    assert not run.stage_result(6)  # stage 6 never started


def test_resume_honours_pause_between_stages(alice_site, monkeypatch):
    run = paused_mid_stage_4(alice_site)
    fast_config(alice_site, between_stage_delay=1)
    AutomationService.resume(run)
    run.refresh_from_db()

    def pause_during_the_delay(seconds):  # the user clicks Pause while the run waits between stages
        if AutomationRun.objects.get(pk=run.pk).status == RunStatus.RUNNING:
            AutomationService.pause(run)

    monkeypatch.setattr(executor_module.time, "sleep", pause_during_the_delay)
    assert execute(run, demo_engine(alice_site)) == RunStatus.PAUSED
    run.refresh_from_db()
    assert run.stage_result(4)["status"] == "completed"
    assert run.current_stage == 5 and not run.stage_result(5)  # stopped before stage 5 began
    assert site_lock.holder(alice_site.pk) is None


def test_pause_is_logged_in_the_run_and_stage_logs(alice_site):
    run = paused_mid_stage_4(alice_site)
    logger = RunLogger(run)
    assert "Paused by user; the current item finishes first." in logger.tail(20)
    assert "Paused by user" in logger.tail(20, stage=4)
    assert "Worker stopped: run is paused." in logger.tail(20)
    AutomationService.resume(run)
    assert "Resumed by user at stage 4." in logger.tail(5)


def test_an_exception_in_a_resumed_run_releases_the_lock(alice_site):
    run = paused_mid_stage_4(alice_site)
    AutomationService.resume(run)
    run.refresh_from_db()

    def explode(name, ids, calls):
        raise RuntimeError("provider SDK crashed")

    assert execute(run, EngineSpy(demo_engine(alice_site), explode)) == RunStatus.FAILED
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "RuntimeError: provider SDK crashed" in run.error_message and run.completed_at
    assert site_lock.holder(alice_site.pk) is None
    assert "provider SDK crashed" in RunLogger(run).tail(5)
    assert AutomationService.start_automation(alice_site).status == RunStatus.RUNNING
