"""Concurrent Run Now clicks produce exactly one run (real PostgreSQL, real threads)."""

import pytest
from concurrency_support import run_concurrently

from igny8_core.automation.exceptions import AlreadyRunning
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService

from .helpers import add_keywords

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_twenty_threads_starting_one_site_make_exactly_one_run(alice_site, monkeypatch):
    add_keywords(alice_site, 5)
    enqueued = []
    monkeypatch.setattr("igny8_core.automation.dispatch.enqueue", lambda run, resume=False: enqueued.append(run.run_id))
    results, errors = run_concurrently(20, lambda i: AutomationService.start_automation(alice_site).run_id)
    started = results
    refused = [str(exc) for exc in errors if isinstance(exc, AlreadyRunning)]
    assert [exc for exc in errors if not isinstance(exc, AlreadyRunning)] == []
    assert len(started) == 1 and len(refused) == 19
    assert all("already running or paused" in message for message in refused)
    assert list(AutomationRun.objects.values_list("run_id", "status")) == [(started[0], RunStatus.RUNNING)]
    assert enqueued == started  # one task for the one run
