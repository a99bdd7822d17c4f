"""The one progress truth (reporting.run_progress): the percentage never goes back while a run
runs, the total changes only when work was really added, an ETA from the observed pace, a run
no worker has claimed says so, and a cancelled run reports done and left."""

import time

import pytest
from celery_support import running_worker

from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService

from .helpers import EngineSpy, add_keywords, demo_engine, execute, fast_config


def snapshot_of(run_pk: int) -> dict:
    progress = AutomationService.run_progress(AutomationRun.objects.select_related("site").get(pk=run_pk))
    stages_input = [s["input_count"] for s in progress["stages"]]
    return {**progress["global_progress"], "stages_input": stages_input, "status": progress["run"]["status"]}


def assert_monotonic(samples: list[dict]) -> None:
    running = [s for s in samples if s["status"] == "running"]
    percentages = [s["percentage"] for s in running]
    assert percentages == sorted(percentages), f"the percentage went back: {percentages}"
    for before, after in zip(running, running[1:], strict=False):
        # The total moves only when a stage's input grew (work handed on), never down.
        assert after["total_items"] >= before["total_items"]
        if after["total_items"] != before["total_items"]:
            assert after["stages_input"] != before["stages_input"]
    assert all(s["percentage"] < 100 for s in running)


@pytest.mark.django_db
def test_percentage_never_decreases_and_the_total_only_grows_with_real_work(small_site):
    add_keywords(small_site, 12)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)
    samples = []
    spy = EngineSpy(demo_engine(small_site), before_run=lambda *args: samples.append(snapshot_of(run.pk)))

    execute(run, spy)

    assert len(samples) > 10
    assert_monotonic(samples)
    # The stored plan fixed the stages' weights; later stages received more than stage 1 had.
    assert samples[-1]["total_items"] > samples[0]["total_items"]
    assert any(s["eta_seconds"] is not None for s in samples[3:])
    final = snapshot_of(run.pk)
    assert final["percentage"] == 100 and final["finished"] and final["eta_seconds"] is None
    assert final["completed_items"] == final["total_items"] and final["remaining_items"] == 0


@pytest.mark.django_db
def test_a_started_run_no_worker_claimed_says_it_is_waiting_for_a_worker(
    alice_site, django_capture_on_commit_callbacks
):
    add_keywords(alice_site, 3)
    run = AutomationService.start_automation(alice_site)
    progress = AutomationService.run_progress(run)
    assert progress["global_progress"]["waiting_for_worker"] is True
    assert progress["run"]["waiting_for_worker"] is True and progress["global_progress"]["eta_seconds"] is None
    assert AutomationService.claim_run(run.run_id, run.epoch) is not None
    run.refresh_from_db()
    assert AutomationService.run_progress(run)["global_progress"]["waiting_for_worker"] is False


@pytest.mark.django_db
def test_a_cancelled_run_keeps_its_percentage_and_reports_done_and_left(small_site):
    add_keywords(small_site, 12)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)
    seen = []

    def cancel_in_stage_4(name, ids, calls):
        if name == "generate_content" and not seen:
            seen.append(snapshot_of(run.pk))
            AutomationService.cancel(AutomationRun.objects.get(pk=run.pk))

    execute(run, EngineSpy(demo_engine(small_site), before_run=cancel_in_stage_4))

    after = snapshot_of(run.pk)
    assert after["status"] == RunStatus.CANCELLED and after["finished"]
    assert seen[0]["percentage"] <= after["percentage"] < 100
    assert after["remaining_items"] > 0
    assert after["completed_items"] + after["remaining_items"] == after["total_items"]
    time.sleep(1.1)
    assert snapshot_of(run.pk)["percentage"] == after["percentage"]  # frozen, not recomputed


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_polling_a_whole_run_on_a_real_worker_never_sees_the_percentage_go_back(small_site, settings, monkeypatch):
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
    add_keywords(small_site, 24)
    fast_config(small_site)
    monkeypatch.setattr(AutomationService, "engine_factory", staticmethod(lambda account, site: demo_engine(site)))
    with running_worker():
        run = AutomationService.start_automation(small_site)
        samples = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            samples.append(snapshot_of(run.pk))
            if samples[-1]["finished"]:
                break
            time.sleep(0.05)
    assert samples[-1]["status"] == RunStatus.COMPLETED and samples[-1]["percentage"] == 100
    running = [s for s in samples if s["status"] == "running" and not s["waiting_for_worker"]]
    assert len({s["percentage"] for s in running}) > 5, "the poll should see the run move"
    assert_monotonic(samples)
