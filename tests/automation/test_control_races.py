"""Races between the user's Pause / Resume / Cancel and the worker still finishing its current
item: the item in flight is done once and counted once, on the run that started it."""

import threading

import pytest

from igny8_core.automation import lock as site_lock
from igny8_core.automation.exceptions import LockHeld
from igny8_core.automation.models import RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.writer.models import Content, Images

from .helpers import EngineSpy, add_keywords, demo_engine, execute, fast_config
from .test_pipeline import assert_results_match_database, deductions


def nth_call(name, n, action):
    def hook(called, ids, calls):
        if called == name and sum(1 for c, _ in calls if c == name) == n:
            action()

    return hook


@pytest.mark.django_db
def test_resume_while_the_paused_worker_still_finishes_its_item_is_refused_and_nothing_is_lost(small_site):
    add_keywords(small_site, 6)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)
    seen = {}

    def pause_then_resume_at_once():  # the worker is between "selected task 2" and "saved it"
        AutomationService.pause(run)
        try:
            AutomationService.resume(run)
            seen["resume"] = "accepted"
        except LockHeld as exc:
            seen["resume"] = str(exc)

    status = execute(
        run, EngineSpy(demo_engine(small_site), nth_call("generate_content", 2, pause_then_resume_at_once))
    )

    # The old worker was not superseded mid-item: it recorded task 2 and stopped on the pause.
    assert "still finishing its current item" in seen["resume"]
    assert status == RunStatus.PAUSED
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and site_lock.holder(small_site.pk) is None
    assert run.stage_result(4)["content_created"] == 2 == Content.objects.filter(site=small_site).count()
    assert run.total_credits_used == deductions(run.account)

    AutomationService.resume(run)  # now the worker is gone: accepted
    run.refresh_from_db()
    assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED
    run.refresh_from_db()
    assert_results_match_database(run)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancel_during_an_item_still_counts_that_item_when_the_heartbeat_sees_the_lock_go(small_site, settings):
    """Cancel releases the site lock at once; the worker's heartbeat then fails to renew it.
    That is the user's cancel, not a takeover: the item in flight must still be recorded."""
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.05
    add_keywords(small_site, 6)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)

    def cancel_and_let_the_heartbeat_notice():
        AutomationService.cancel(run)
        beat = next(t for t in threading.enumerate() if t.name == f"automation-heartbeat-{run.pk}")
        beat.join(timeout=10)  # it stops renewing once it finds the lock gone
        assert not beat.is_alive()

    status = execute(
        run, EngineSpy(demo_engine(small_site), nth_call("generate_content", 2, cancel_and_let_the_heartbeat_notice))
    )

    assert status == RunStatus.CANCELLED
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.stage_result(4)["content_created"] == 2 == Content.objects.filter(site=small_site).count()
    assert run.total_credits_used == deductions(run.account)
    assert site_lock.holder(small_site.pk) is None


@pytest.mark.django_db
def test_an_unwritable_log_folder_never_strands_or_fails_a_run(
    small_site, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Logs are a record of the work, not part of it: a full or read-only log volume must not
    leave a committed run without its task (stuck 'running', the site blocked) nor fail it."""
    from igny8_core.automation import dispatch

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.IGNY8_LOG_ROOT = blocker  # every mkdir below it fails with an OSError
    add_keywords(small_site, 3)
    fast_config(small_site)
    sent = []
    monkeypatch.setattr(dispatch, "send_by_name", lambda name, args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        run = AutomationService.start_automation(small_site)
    assert sent == [[run.run_id, run.epoch]]  # enqueued although the start could not be logged

    assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    AutomationService.cancel(AutomationService.start_automation(small_site))  # control actions too


@pytest.mark.django_db
def test_pause_takes_effect_after_the_current_item_even_inside_a_larger_batch(small_site, monkeypatch):
    """Batches of 4 images: a pause while the first image is generated stops the worker after
    that image, not after the whole batch; the other three stay pending and are done once on resume."""
    add_keywords(small_site, 6)
    fast_config(small_site, stage_6_batch_size=4)
    run = AutomationService.start_automation(small_site)
    real = AutomationService._stop_requested
    state = {"paused": False}

    def pause_during_the_first_image(self):
        if self.run.current_stage == 6 and not state["paused"]:
            state["paused"] = True
            AutomationService.pause(run)  # the user clicks Pause while image 1 is in flight
        return real(self)

    monkeypatch.setattr(AutomationService, "_stop_requested", pause_during_the_first_image)
    assert execute(run, demo_engine(small_site)) == RunStatus.PAUSED
    run.refresh_from_db()
    assert run.current_stage == 6
    images = Images.objects.filter(site=small_site)
    assert images.filter(status="generated").count() == 1 == run.stage_result(6)["images_generated"]
    assert run.stage_result(6)["items_requested"] == 1
    assert images.filter(status="pending").count() == images.count() - 1 > 0
    assert run.total_credits_used == deductions(run.account)

    monkeypatch.setattr(AutomationService, "_stop_requested", real)
    AutomationService.resume(run)
    run.refresh_from_db()
    assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED
    run.refresh_from_db()
    assert images.filter(status="generated").count() == images.count() == run.stage_result(6)["images_generated"]
    assert_results_match_database(run)
