"""Integration: real Celery workers (in-process and a separate process) against real Redis and
PostgreSQL, the real AI engine on the demo provider, tiny delays / heartbeats / TTLs."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from celery_support import purge_queues, running_worker
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count

from igny8_core.automation import ledger
from igny8_core.automation import lock as site_lock
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import RunStatus
from igny8_core.automation.recovery import recover_stale_runs
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditTransaction
from igny8_core.writer.models import Content, Tasks

from .helpers import add_keywords, demo_engine, fast_config
from .test_pipeline import STAGE_OPERATION, assert_results_match_database, deductions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout=60.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


def finished(run):
    run.refresh_from_db()
    return run.status not in (RunStatus.RUNNING, RunStatus.PAUSED)


@pytest.fixture
def fast_timings(settings):
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
    settings.AUTOMATION_LOCK_TTL = 5
    settings.AUTOMATION_STALE_AFTER = 3
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 1
    return settings


@pytest.fixture
def worker(fast_timings, monkeypatch):
    """A real Celery worker in this process (its own thread and DB connection)."""
    monkeypatch.setattr(AutomationService, "engine_factory", staticmethod(lambda account, site: demo_engine(site)))
    with running_worker() as celery_worker:
        yield celery_worker


def test_full_demo_run_of_60_keywords_through_a_real_worker(worker, small_site):
    add_keywords(small_site, 60)
    fast_config(small_site)
    run = AutomationService.start_automation(small_site)  # what run_now does: enqueue on commit

    wait_for(lambda: finished(run), timeout=120, message="the run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    assert run.claimed_at is not None and run.lock_token and run.recovery_count == 0
    assert run.stage_result(1)["keywords_processed"] == 60
    assert run.stage_result(7)["ready_for_review"] > 0
    assert_results_match_database(run)
    assert site_lock.holder(small_site.pk) is None
    assert AutomationService.run_progress(run)["global_progress"]["percentage"] == 100


def test_pause_mid_stage_4_then_resume_writes_each_task_once_and_charges_once(worker, small_site):
    add_keywords(small_site, 20)  # -> 5 clusters -> 5 tasks
    # Stage 4 takes ~1 s per task: room to pause (stage 2 in one batch, so it comes quickly).
    fast_config(small_site, within_stage_delay=1, stage_2_batch_size=5)
    run = AutomationService.start_automation(small_site)

    wait_for(lambda: Content.objects.filter(site=small_site).count() >= 2, timeout=60, message="stage 4")
    AutomationService.pause(run)
    wait_for(lambda: site_lock.holder(small_site.pk) is None, timeout=20, message="the worker to stop")
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED and run.current_stage == 4
    written = Content.objects.filter(site=small_site).count()
    time.sleep(1.5)
    assert Content.objects.filter(site=small_site).count() == written  # nothing happens while paused
    assert Tasks.objects.filter(site=small_site, content__isnull=True).exists()

    fast_config(small_site)  # no delays for the rest: the resumed worker reads the config afresh
    AutomationService.resume(run)
    wait_for(lambda: finished(run), timeout=60, message="the resumed run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    tasks = Tasks.objects.filter(site=small_site)
    assert tasks.count() > written
    assert tasks.filter(content__isnull=True).count() == 0  # every task got its content ...
    assert Content.objects.filter(site=small_site).values("task").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    charges = CreditTransaction.objects.filter(account=run.account, operation="content_generation")
    assert charges.count() == tasks.count()  # ... charged exactly once each
    assert run.stage_result(4)["tasks_processed"] == tasks.count()
    assert_results_match_database(run)


# --- a worker process killed with SIGKILL -------------------------------------------------
def start_worker_process(tmp_path, settings):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "igny8_core.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "IGNY8_LOG_ROOT": str(settings.IGNY8_LOG_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IGNY8_AI_PROVIDER": "demo",
        "IGNY8_AI_IDEAS_PER_CLUSTER": "1",
        "AUTOMATION_HEARTBEAT_INTERVAL": "1",
        "AUTOMATION_LOCK_TTL": "30",
        "DB_CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / "worker.log", "ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "igny8_core",
            "worker",
            "-Q",
            "automation",
            "-P",
            "solo",
            "-c",
            "1",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def run_in_stage_4_of_a_worker_process(site, tmp_path, settings):
    """Start a 20-keyword run (5 tasks, about 1 s each in stage 4) in a separate worker process
    and yield (process, run) once stage 4 has written two drafts: the moment to interrupt it.
    The process is killed on the way out, whatever the test did to it."""
    add_keywords(site, 20)  # -> 5 clusters -> 5 tasks (one idea per cluster in the worker)
    fast_config(site, within_stage_delay=1, stage_2_batch_size=5)
    purge_queues()
    process = start_worker_process(tmp_path, settings)
    try:
        run = AutomationService.start_automation(site)
        wait_for(
            lambda: Content.objects.filter(site=site).count() >= 2,
            timeout=90,
            message=f"stage 4 in the worker process (log: {tmp_path / 'worker.log'})",
        )
        yield process, run
    finally:
        kill(process)


def test_worker_killed_with_sigkill_is_recovered_without_duplicates_or_double_charge(
    fast_timings, small_site, tmp_path
):
    with run_in_stage_4_of_a_worker_process(small_site, tmp_path, fast_timings) as (process, run):
        kill(process)  # no cleanup, no `finally`: the run stays "running", the lock stays set
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and site_lock.holder(small_site.pk) == run.lock_token
    fast_config(small_site)
    before_kill = Content.objects.filter(site=small_site).count()

    assert recover_stale_runs()["resumed"] == []  # heartbeat still fresh: not reaped yet
    wait_for(
        lambda: recover_stale_runs()["resumed"] == [run.run_id],
        timeout=15,
        interval=0.5,
        message="the heartbeat to go stale",
    )
    run.refresh_from_db()
    assert run.recovery_count == 1 and site_lock.holder(small_site.pk) is None

    process = start_worker_process(tmp_path, fast_timings)  # a new worker picks up the resume task
    try:
        wait_for(lambda: finished(run), timeout=90, message="the recovered run to finish")
    finally:
        kill(process)

    assert run.status == RunStatus.COMPLETED, run.error_message
    tasks = Tasks.objects.filter(site=small_site)
    contents = Content.objects.filter(site=small_site)
    assert contents.count() == tasks.count() > before_kill
    assert tasks.filter(content__isnull=True).count() == 0
    keys = list(
        CreditTransaction.objects.filter(account=run.account, transaction_type="deduction").values_list(
            "idempotency_key", flat=True
        )
    )
    assert all(keys) and not [k for k, n in Counter(keys).items() if n > 1]  # no double charge
    assert (
        CreditTransaction.objects.filter(account=run.account, operation="content_generation").count() == tasks.count()
    )
    assert (
        CreditTransaction.objects.filter(account=run.account, operation="image_generation").count()
        == run.site.automation_runs.get().stage_result(6)["images_generated"]
    )
    # The run's credits are the ledger's: its total and each stage's, also across the kill and
    # the recovery (a tally kept by the dead worker would miss what it charged last).
    total, per_operation = ledger.run_credits(run.pk)
    assert run.total_credits_used == total == deductions(run.account)
    for number, operation in STAGE_OPERATION.items():
        assert Decimal(run.stage_result(number)["credits_used"]) == per_operation.get(operation, 0), number
    assert "Recovered: no heartbeat since" in RunLogger(run).path().read_text()
    assert Decimal(run.stage_result(4)["credits_used"]) > 0
