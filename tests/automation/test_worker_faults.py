"""Runs that survive a misbehaving provider and a misbehaving worker host, with real Celery
workers (in this process, or a separate process signalled like docker stops it), real Redis
and PostgreSQL, and the real `openai` SDK against the local fake server injecting faults.

- 30% mixed faults: the run completes, every saved result is charged exactly once, every
  failed item has its code and a failed AIRequestLog row, the next run retries them, and
  retry_failed brings back the ones out of attempts.
- SIGTERM to the worker mid-stage-4: it hands the run over after its in-flight item and exits;
  a restarted worker finishes the run without a crash recovery.
- A run whose queue message was lost is re-queued by the reaper and completes.
"""

import signal
from collections import Counter
from decimal import Decimal

import pytest
from ai.fake_openai import CHAT, IMAGES, FakeOpenAI
from celery_support import purge_queues, running_worker
from django.conf import settings as django_settings

from igny8_core.ai.models import AIRequestLog, ItemFailure
from igny8_core.automation import broker, ledger
from igny8_core.automation import lock as site_lock
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.recovery import recover_stale_runs
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditTransaction
from igny8_core.celery import app
from igny8_core.planner.models import Clusters, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from .helpers import add_keywords, fast_config, use_fake_openai
from .test_api import BASE, client_for
from .test_pipeline import STAGE_OPERATION
from .test_worker import finished, kill, run_in_stage_4_of_a_worker_process, start_worker_process, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
# The faults real providers show: HTTP 500, 429 + Retry-After, connection reset, a stall past the
# client's timeout, a broken JSON body, JSON that violates the function's schema.
MIXED_FAULTS = ("http_500", "rate_limit", "reset", "stall", "malformed_body", "schema_violation")
CODES = {"provider_error", "rate_limited", "timeout", "malformed_output", "invalid_output"}


@pytest.fixture
def server(settings):
    fake = FakeOpenAI().start()
    fake.stall_seconds = 1.2  # past the client's timeout below
    use_fake_openai(settings, fake)
    settings.OPENAI_TIMEOUT = 0.4
    settings.OPENAI_MAX_RETRIES = 1  # one retry inside the provider, then the item fails
    settings.OPENAI_RETRY_BASE_DELAY = settings.OPENAI_RETRY_MAX_DELAY = 0.01
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 1
    settings.AI_MAX_ITEM_ATTEMPTS = 2
    yield fake
    fake.stop()


@pytest.fixture
def worker(server):
    with running_worker() as celery_worker:
        yield celery_worker


def run_to_the_end(site) -> AutomationRun:
    run = AutomationService.start_automation(site)
    wait_for(lambda: finished(run) and site_lock.holder(site.pk) is None, timeout=120, message="the run to finish")
    return run


def charged_items(account, operation) -> list[int]:
    rows = CreditTransaction.objects.filter(account=account, transaction_type="deduction", operation=operation)
    return sorted(item for row in rows for item in row.metadata["items"])


def assert_every_result_charged_exactly_once(site) -> None:
    """Ledger rows against saved rows, per operation: each item that has its result was charged
    in exactly one deduction, and nothing without a result was charged."""
    deductions = CreditTransaction.objects.filter(account=site.account, transaction_type="deduction")
    keys = list(deductions.values_list("idempotency_key", flat=True))
    assert all(keys) and not [k for k, n in Counter(keys).items() if n > 1]
    assert not deductions.filter(run__isnull=True).exists()  # every charge carries its run
    saved = {
        "clustering": Keywords.objects.filter(site=site, cluster__isnull=False).values_list("pk", flat=True),
        "idea_generation": Clusters.objects.filter(site=site, ideas__isnull=False).values_list("pk", flat=True),
        "content_generation": Content.objects.filter(site=site).values_list("task_id", flat=True),
        "image_prompt_extraction": Content.objects.filter(site=site, images__isnull=False).values_list("pk", flat=True),
        "image_generation": Images.objects.filter(site=site, status=Images.Status.GENERATED).values_list(
            "pk", flat=True
        ),
    }
    for operation, ids in saved.items():
        assert charged_items(site.account, operation) == sorted(set(ids)), operation


def assert_credits_are_the_ledgers(run) -> None:
    run.refresh_from_db()
    total, per_operation = ledger.run_credits(run.pk)
    assert run.total_credits_used == total
    for number, operation in STAGE_OPERATION.items():
        stage_credits = Decimal(str(run.stage_result(number).get("credits_used") or "0"))
        assert stage_credits == per_operation.get(operation, Decimal("0.00")), number


def failures_of(site) -> dict[tuple[str, int], ItemFailure]:
    return {(f.function, f.item_id): f for f in ItemFailure.objects.filter(site=site)}


def test_a_run_against_30_percent_mixed_faults_completes_and_its_failures_come_back(worker, server, alice, small_site):
    add_keywords(small_site, 20)
    # Keywords in batches of 4: a failed clustering call leaves 4 keywords, not all of them.
    fast_config(small_site, stage_1_batch_size=4)
    server.inject_faults(0.3, kinds=MIXED_FAULTS, seed=1)

    first = run_to_the_end(small_site)

    assert first.status == RunStatus.COMPLETED, first.error_message
    assert len({r.fault for r in server.faults()}) >= 4  # the faults did happen, of several kinds
    failed = failures_of(small_site)
    assert len({f.code for f in failed.values()}) >= 2, failed  # this seed fails items of several stages and codes
    for (function, item_id), failure in failed.items():
        assert failure.code in CODES and failure.attempts == 1 and failure.run_id == first.pk
        log = AIRequestLog.objects.filter(function=function, item_ids__contains=[item_id], success=False)
        assert log.filter(code=failure.code).exists(), (function, item_id, failure.code)
    api = client_for(alice)
    listed = api.get(f"{BASE}/failed_items/?site_id={small_site.pk}&run_id={first.run_id}&page_size=100").json()
    assert listed["count"] == len(failed)
    assert {(row["id"], row["code"]) for row in listed["results"]} == {(i, f.code) for (_, i), f in failed.items()}
    assert_every_result_charged_exactly_once(small_site)
    assert_credits_are_the_ledgers(first)
    assert first.stage_result(7)["ready_for_review"] == Content.objects.filter(site=small_site, status="review").count()

    # The next run retries each failed item (here the provider fails them all once more: their
    # second and last attempt).
    server.inject_faults(1.0, kinds=("http_500",))
    second = run_to_the_end(small_site)

    assert second.status == RunStatus.COMPLETED, second.error_message  # items failed, not the run
    retried = failures_of(small_site)
    for key in failed:
        assert retried[key].attempts == 2 and retried[key].run_id == second.pk, key
    assert_every_result_charged_exactly_once(small_site)
    assert_credits_are_the_ledgers(second)

    # Out of attempts: no run takes them on its own; retry_failed brings them all back.
    exhausted = ItemFailure.objects.filter(site=small_site, attempts__gte=2).count()
    assert exhausted >= len(failed)
    server.inject_faults(0.0)
    response = api.post(f"{BASE}/retry_failed/?site_id={small_site.pk}", {}, format="json")
    assert response.status_code == 200 and response.json()["total"] == exhausted, response.json()
    third = run_to_the_end(small_site)

    assert third.status == RunStatus.COMPLETED, third.error_message
    assert not ItemFailure.objects.filter(site=small_site).exists()
    assert not Keywords.objects.filter(site=small_site, cluster__isnull=True).exists()
    assert not Tasks.objects.filter(site=small_site, content__isnull=True).exists()
    assert not Images.objects.filter(site=small_site).exclude(status=Images.Status.GENERATED).exists()
    assert Content.objects.filter(site=small_site, images__isnull=True).count() == 0
    assert_every_result_charged_exactly_once(small_site)
    assert_credits_are_the_ledgers(third)
    assert server.calls(IMAGES) and server.calls(CHAT)


def test_sigterm_mid_stage_4_hands_the_run_to_the_restarted_worker_without_a_recovery(settings, small_site, tmp_path):
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
    settings.AUTOMATION_STALE_AFTER = 3
    # Stage 4 takes about 1 s per task: the signal lands in the middle of it.
    with run_in_stage_4_of_a_worker_process(small_site, tmp_path, settings) as (process, run):
        process.send_signal(signal.SIGTERM)  # what `docker stop` sends: a warm shutdown
        process.wait(timeout=20)  # it stops after its in-flight item, not at the end of the run
    run.refresh_from_db()
    written = Content.objects.filter(site=small_site).count()
    assert run.status == RunStatus.RUNNING and run.current_stage == 4, run.error_message
    assert run.claimed_at is None and run.recovery_count == 0  # handed over, nothing to recover
    assert site_lock.holder(small_site.pk) is None
    assert Tasks.objects.filter(site=small_site, content__isnull=True).exists()
    assert broker.message_waiting(run.run_id) is True  # its resume task waits for a worker
    assert recover_stale_runs() == {"resumed": [], "failed": [], "requeued": []}

    fast_config(small_site)
    process = start_worker_process(tmp_path, settings)  # the restarted worker
    try:
        wait_for(lambda: finished(run), timeout=90, message="the handed-over run to finish")
    finally:
        kill(process)

    assert run.status == RunStatus.COMPLETED, run.error_message
    assert run.recovery_count == 0
    tasks = Tasks.objects.filter(site=small_site)
    assert Content.objects.filter(site=small_site).count() == tasks.count() > written
    assert not tasks.filter(content__isnull=True).exists()
    assert_every_result_charged_exactly_once(small_site)
    assert_credits_are_the_ledgers(run)
    text = RunLogger(run).path().read_text()
    assert "Recovered" not in text


def delete_message(run_id: str) -> int:
    """Drop the run's task message from the broker's queue, as a Redis restart without
    persistence does."""
    removed = 0
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        queue = django_settings.CELERY_AUTOMATION_QUEUE
        for name in [queue] + [f"{queue}{broker.PRIORITY_SEPARATOR}{step}" for step in range(1, 10)]:
            for entry in client.lrange(name, 0, -1):
                if run_id.encode() in entry:
                    removed += client.lrem(name, 0, entry)
    return removed


def test_a_lost_message_is_requeued_and_the_run_completes_on_a_real_worker(settings, small_site):
    settings.AUTOMATION_QUEUED_LOST_AFTER = 1
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
    add_keywords(small_site, 6)
    fast_config(small_site)
    purge_queues()
    run = AutomationService.start_automation(small_site)  # queued: no worker is running yet

    assert delete_message(run.run_id) == 1
    assert broker.message_waiting(run.run_id) is False
    with running_worker():
        requeued = wait_for(
            lambda: recover_stale_runs()["requeued"], timeout=10, interval=0.2, message="the reaper to re-queue it"
        )
        assert requeued == [run.run_id]
        wait_for(lambda: finished(run), timeout=90, message="the re-queued run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    # One new ticket (2), redeemed once (3): no crash recovery, no second execution.
    assert run.recovery_count == 0 and run.epoch == 3
    assert Content.objects.filter(site=small_site, status="review").exists()
    assert_credits_are_the_ledgers(run)
