"""A run's books and ends: credits are the ledger's sums, a finished run keeps no stage
`running`, a warm worker shutdown hands the run over after the in-flight item, and a run whose
task message was lost is re-queued within a minute or two."""

from datetime import timedelta
from decimal import Decimal

import pytest
from celery_support import purge_queues
from django.db.models import Sum
from django.utils import timezone

from igny8_core.automation import broker
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.recovery import recover_stale_runs
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService
from igny8_core.writer.models import Content

from .helpers import EngineSpy, add_keywords, demo_engine, execute, fast_config, start_and_execute

pytestmark = pytest.mark.django_db
STAGE_OPERATION = {
    1: "clustering",
    2: "idea_generation",
    4: "content_generation",
    5: "image_prompt_extraction",
    6: "image_generation",
}


def assert_credits_are_the_ledgers(run):
    run.refresh_from_db()
    rows = CreditTransaction.objects.filter(run=run, transaction_type="deduction")
    assert run.total_credits_used == -(rows.aggregate(s=Sum("amount"))["s"] or 0)
    for stage, operation in STAGE_OPERATION.items():
        in_ledger = -(rows.filter(operation=operation).aggregate(s=Sum("amount"))["s"] or Decimal("0"))
        assert Decimal(run.stage_result(stage).get("credits_used", "0")) == in_ledger, stage


def test_every_deduction_of_a_run_carries_it_and_the_totals_are_the_ledgers(small_site):
    add_keywords(small_site, 6)
    fast_config(small_site)
    run = start_and_execute(small_site, engine=demo_engine(small_site))

    assert run.status == RunStatus.COMPLETED and run.total_credits_used > 0
    deductions = CreditTransaction.objects.filter(account=run.account, transaction_type="deduction")
    assert deductions.exists() and not deductions.filter(run__isnull=True).exists()
    assert_credits_are_the_ledgers(run)


def test_a_charge_the_tally_missed_is_counted_when_the_run_continues(small_site):
    """What a killed worker charged after its last tally write (or a takeover twin charged)
    is in the run's totals as soon as the next session writes its tally."""
    add_keywords(small_site, 6)
    fast_config(small_site)

    def pause_at_stage_4(name, ids, calls):
        if name == "generate_content" and not any(n == name for n, _ in calls[:-1]):
            AutomationService.pause(AutomationRun.objects.get(site=small_site))

    run = start_and_execute(small_site, engine=EngineSpy(demo_engine(small_site), pause_at_stage_4))
    assert run.status == RunStatus.PAUSED
    CreditService.deduct(run.account, Decimal("2.50"), "content_generation", idempotency_key="lost", run_id=run.pk)

    AutomationService.resume(run)
    run.refresh_from_db()
    execute(run, demo_engine(small_site))

    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    assert_credits_are_the_ledgers(run)


def test_a_cancelled_run_keeps_no_stage_running(small_site):
    add_keywords(small_site, 6)
    fast_config(small_site)

    def cancel_in_stage_2(name, ids, calls):
        if name == "generate_ideas":
            AutomationService.cancel(AutomationRun.objects.get(site=small_site))

    run = start_and_execute(small_site, engine=EngineSpy(demo_engine(small_site), cancel_in_stage_2))

    assert run.status == RunStatus.CANCELLED
    statuses = {n: run.stage_result(n).get("status") for n in range(1, 8)}
    assert "running" not in statuses.values()
    assert statuses[2] == "cancelled" and run.stage_result(2)["reason"] == "Cancelled by user."
    assert AutomationService.run_progress(run)["stages"][1]["status"] == "cancelled"


def test_cancelling_a_paused_run_closes_its_stage_at_once(small_site):
    add_keywords(small_site, 3)
    run = AutomationService.start_automation(small_site)
    AutomationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PAUSED, current_stage=4, stage_4_result={"status": "running", "reason": ""}
    )

    AutomationService.cancel(run)

    assert run.stage_result(4)["status"] == "cancelled" and run.stage_result(4)["finished_at"]


def test_a_warm_shutdown_hands_the_run_over_after_the_in_flight_item(small_site, django_capture_on_commit_callbacks):
    add_keywords(small_site, 8)
    fast_config(small_site, stage_2_batch_size=5)
    run = AutomationService.start_automation(small_site)
    purge_queues()
    articles = []

    def count(name, ids, calls):
        if name == "generate_content":
            articles.append(ids)

    draining = lambda: len(articles) >= 1  # noqa: E731 - the worker got SIGTERM during the first article
    service = AutomationService.claim_run(
        run.run_id, run.epoch, engine=EngineSpy(demo_engine(small_site), count), draining=draining
    )
    ticket_before = service.claim.epoch

    with django_capture_on_commit_callbacks(execute=True):
        assert service.execute() == "handed over"

    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.current_stage == 4
    assert run.epoch == ticket_before + 1 and run.claimed_at is None and run.recovery_count == 0
    assert Content.objects.filter(site=small_site).count() == 1  # the in-flight article, nothing more
    assert broker.message_waiting(run.run_id) is True  # the resume task waits for the next worker
    assert recover_stale_runs() == {"resumed": [], "failed": [], "requeued": []}  # no recovery

    assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED  # the next worker
    run.refresh_from_db()
    assert run.recovery_count == 0 and run.stage_result(4)["content_created"] == Content.objects.count()
    assert_credits_are_the_ledgers(run)
    purge_queues()


def test_a_lost_task_message_is_requeued_within_a_minute_or_two(small_site, settings):
    settings.AUTOMATION_QUEUED_LOST_AFTER = 60
    add_keywords(small_site, 3)
    run = AutomationService.start_automation(small_site)  # in a test transaction: never sent
    purge_queues()
    AutomationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=30))
    assert recover_stale_runs()["requeued"] == []  # too early to call it lost

    AutomationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    assert broker.message_waiting(run.run_id) is False
    assert recover_stale_runs()["requeued"] == [run.run_id]

    run.refresh_from_db()
    assert run.epoch == 2 and run.status == RunStatus.RUNNING and run.recovery_count == 0
    purge_queues()


def test_a_run_waiting_in_a_busy_queue_is_left_alone(small_site, settings, django_capture_on_commit_callbacks):
    settings.AUTOMATION_QUEUED_LOST_AFTER = 60
    add_keywords(small_site, 3)
    purge_queues()
    with django_capture_on_commit_callbacks(execute=True):
        run = AutomationService.start_automation(small_site)  # the message is in the queue
    AutomationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=600))

    assert broker.message_waiting(run.run_id) is True
    assert recover_stale_runs()["requeued"] == []
    purge_queues()
